// The cheap half of anti-cheat, before anything reaches a zone: frame size, message rate, and
// whether a move is physically plausible. The zone stays the authority (it checks the
// character's real speed and the terrain); this only keeps floods and blatant teleports off the
// wire between nodes, and names the reason when it closes a connection.
import { CloseCode } from "../../common/player-opcodes.ts";
import { NO_STALLS, type Stalls } from "./stall-ledger.ts";

/** The largest CMSG is a SAY of 256 bytes of text; anything much bigger is not a client of ours. */
const MAX_FRAME_BYTES = 512;
/** Messages per second a player may send on average, and in one burst. 20 moves + pings + chat fit easily. */
const RATE_PER_S = 40;
const BURST = 80;
/** Chat lines per second, and in one burst: more are refused, not forwarded. */
const CHAT_PER_S = 2;
const CHAT_BURST = 6;
/** Requests to enter a dungeon: each one asks the realm node, so a few are plenty. */
const DUNGEON_PER_S = 0.5;
const DUNGEON_BURST = 3;
/** Global chat reaches the whole realm: one line every 5 s, 2 in a burst (on top of the chat limit). */
const GLOBAL_PER_S = 0.2;
const GLOBAL_BURST = 2;
/** Refused lines within the window that mute the player, and for how long. */
const FLOOD_STRIKES = 5;
const FLOOD_WINDOW_MS = 10_000;
export const FLOOD_MUTE_MS = 60_000;
/** Party, friend and guild requests (each a database operation) per second, and in a burst. */
const SOCIAL_PER_S = 2;
const SOCIAL_BURST = 10;
/** World units per second no character reaches; one second of it banked, like the zone's allowance. */
const MAX_PLAUSIBLE_SPEED = 30;
/** Implausible moves in the window before the player is closed. */
const IMPLAUSIBLE_LIMIT = 5;
const IMPLAUSIBLE_WINDOW_MS = 10_000;

type Verdict = { ok: true } | { ok: false; code: number; why: string };
/** A chat line's fate: forwarded, refused for speed, or refused because the player is muted. */
export type ChatVerdict = "ok" | "too-fast" | "muted";
const OK: Verdict = { ok: true };

/**
 * How much a bucket holds after `ms` of its time passed, `stalledMs` of it with the node not
 * reading: that part piled up unread and arrives at once, so it may exceed the cap (what is left
 * of it is kept until spent, never more than the stall's worth).
 */
function refill(held: number, cap: number, perSecond: number, ms: number, stalledMs: number): number {
  return Math.min(Math.max(held, cap + (stalledMs / 1000) * perSecond), held + (ms / 1000) * perSecond);
}

/** A token bucket: `rate` per second, at most `burst` saved up (more after the node stalled). */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
    private readonly stalls: Stalls,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = refill(this.tokens, this.burst, this.rate, now - this.at, this.stalls.since(this.at, now));
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class InputGuard {
  private readonly messages: Bucket;
  private readonly chat: Bucket;
  private readonly dungeon: Bucket;
  private readonly global: Bucket;
  private readonly social: Bucket;
  private readonly floods: number[] = [];
  /** Until when chat is refused (ms since 1970): a flood here, or an operator's mute from the realm node. */
  mutedUntil = 0;
  private lastX = NaN;
  private lastY = NaN;
  private banked = MAX_PLAUSIBLE_SPEED;
  private bankedAt: number;
  private readonly strikes: number[] = [];
  implausible = 0;

  constructor(
    now: number,
    /** When the node itself was not reading: input that piled up meanwhile is not held against the player. */
    private readonly stalls: Stalls = NO_STALLS,
  ) {
    this.messages = new Bucket(RATE_PER_S, BURST, now, stalls);
    this.chat = new Bucket(CHAT_PER_S, CHAT_BURST, now, stalls);
    this.dungeon = new Bucket(DUNGEON_PER_S, DUNGEON_BURST, now, stalls);
    this.global = new Bucket(GLOBAL_PER_S, GLOBAL_BURST, now, stalls);
    this.social = new Bucket(SOCIAL_PER_S, SOCIAL_BURST, now, stalls);
    this.bankedAt = now;
  }

  /** Every frame, before it is decoded. */
  frame(bytes: number, binary: boolean, now: number): Verdict {
    if (!binary) return { ok: false, code: CloseCode.TEXT_FRAME, why: "text frames are not part of the protocol; send binary frames" };
    if (bytes > MAX_FRAME_BYTES) return { ok: false, code: CloseCode.FRAME_TOO_LARGE, why: `frame of ${bytes} bytes is over ${MAX_FRAME_BYTES}` };
    if (!this.messages.take(now)) return { ok: false, code: CloseCode.FLOOD, why: `more than ${RATE_PER_S} messages a second` };
    return OK;
  }

  /** A chat line (`global`: to the whole realm): refused lines are not forwarded, nor is the player closed; a flood of them mutes it. */
  chatLine(now: number, global: boolean): ChatVerdict {
    if (now < this.mutedUntil) return "muted";
    if (this.chat.take(now) && (!global || this.global.take(now))) return "ok";
    while (this.floods.length > 0 && now - this.floods[0]! > FLOOD_WINDOW_MS) this.floods.shift();
    this.floods.push(now);
    if (this.floods.length < FLOOD_STRIKES) return "too-fast";
    this.floods.length = 0;
    this.mutedUntil = now + FLOOD_MUTE_MS;
    return "muted";
  }

  /** A party, friend or guild request: false means refuse it (too many too fast), without closing. */
  socialRequest(now: number): boolean {
    return this.social.take(now);
  }

  /** A request to enter a dungeon: false means refuse it (too many too fast), without closing. */
  dungeonAsk(now: number): boolean {
    return this.dungeon.take(now);
  }

  /** Where the server says the player is (entering, a correction, a resume): moves are measured from here. */
  placeAt(x: number, y: number, now: number): void {
    this.lastX = x;
    this.lastY = y;
    this.banked = MAX_PLAUSIBLE_SPEED;
    this.bankedAt = now;
  }

  /**
   * A claimed move to (x, y). "drop" means do not forward it (the player gets no answer: the
   * zone's next correction or the world view puts it right); a run of them closes the player.
   */
  move(x: number, y: number, now: number): Verdict | "drop" {
    this.banked = refill(this.banked, MAX_PLAUSIBLE_SPEED, MAX_PLAUSIBLE_SPEED, now - this.bankedAt, this.stalls.since(this.bankedAt, now));
    this.bankedAt = now;
    if (Number.isNaN(this.lastX)) {
      this.placeAt(x, y, now);
      return OK;
    }
    const d = Math.hypot(x - this.lastX, y - this.lastY);
    if (d <= this.banked) {
      this.banked -= d;
      this.lastX = x;
      this.lastY = y;
      return OK;
    }
    this.implausible++;
    while (this.strikes.length > 0 && now - this.strikes[0]! > IMPLAUSIBLE_WINDOW_MS) this.strikes.shift();
    this.strikes.push(now);
    if (this.strikes.length >= IMPLAUSIBLE_LIMIT) {
      return { ok: false, code: CloseCode.IMPLAUSIBLE_MOVEMENT, why: `${this.strikes.length} moves faster than ${MAX_PLAUSIBLE_SPEED} units/s within ${IMPLAUSIBLE_WINDOW_MS / 1000} s` };
    }
    return "drop";
  }
}
