// One load bot: a player's whole life through the real front door (HTTP login, WebSocket,
// character screen), then the world at a legal pace, ten moves a second at most, a ping every two
// seconds, a chat line now and then, and whatever its behavior (its Mind) decides. It survives
// its client node: back with CMSG_RESUME on another client node within the grace period, or
// through a fresh login when the token is refused. It counts what it receives and keeps the
// ledger of what the economy acknowledged.
import type { Log } from "../../common/log.ts";
import { CHAR_REFUSAL_CODES, CloseCode, CORRECT_REASONS, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import type { CharacterEntry, ClientMessage, Entered, ServerMessage, WorldUpdate } from "../../common/player-codec.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { botAccount, botCharacter } from "./accounts.ts";
import { applyTrade, type BotLedger } from "./ledger.ts";
import { LoginRefused, type LoginDoor } from "./login.ts";
import { BotLink, isOp, LinkClosed, type LinkOwner } from "./bot-link.ts";
import type { Closed } from "./player-link.ts";
import { newCounters, tally, type Histogram, type Tally } from "./stats.ts";
import { distance, MAX_STEP_S, stepToward, WALK_SPEED, type Point } from "./walk.ts";

/** What a behavior decides, step by step, for one bot. */
export interface Mind {
  /** About ten times a second while the bot is in the world. */
  step(now: number): void;
  /** Every server message while the bot is in the world, after the bot's own bookkeeping. */
  heard?(m: ServerMessage, now: number): void;
}

/** What a worker gives each of its bots. */
export interface BotContext {
  realm: RealmSpec;
  /** Every client node's WebSocket URL: a reconnect may go to any. */
  clientUrls: string[];
  password: string;
  door: LoginDoor;
  log: Log;
  rtt: Histogram;
  stopping(): boolean;
  mind(bot: Bot): Mind;
  /** Tops the character's gold up through the database node (trading bots). */
  grantGold: ((bot: Bot, amount: number) => Promise<void>) | undefined;
}

type BotState = "waiting" | "entering" | "world" | "recovering" | "failed" | "left";

/** Closes that say the bot itself broke a rule or was thrown out: coming back would only repeat it. */
const FOR_CAUSE: ReadonlySet<number> = new Set(
  (["TEXT_FRAME", "FRAME_TOO_LARGE", "UNKNOWN_OPCODE", "MALFORMED", "OUT_OF_ORDER", "FLOOD", "IMPLAUSIBLE_MOVEMENT", "SLOW_CONSUMER", "KICKED"] as const).map((name) => CloseCode[name]),
);
const WELCOME_MS = 10_000;
const LOBBY_MS = 15_000;
/** The client node answers a select within 8 s (3 s for the realm node, 5 s for the zone): silence past that is a lost answer. */
const ENTER_MS = 12_000;
/** A dead character's moves and blows are refused until it revives (5 s): it rests in slices of this. */
const DEAD_REST_MS = 1000;
const PING_EVERY_MS = 2000;
/** A line a minute on average: in a crowd every line reaches everyone near, so chat grows with the square of a clump. */
const CHAT_EVERY_MS = 60_000;
/** The share of lines said to the whole zone rather than to those near. */
const ZONE_CHAT_SHARE = 0.05;
const LEAVE_MS = 3000;
/** Gold a trading bot wants to hold; topped up from the database when under half. */
const TRADING_GOLD = 1000;

const CORRECTION_REASONS = new Map(Object.entries(CORRECT_REASONS).map(([name, code]) => [code as number, name]));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class CharacterRefused extends Error {}

export class Bot implements LinkOwner {
  readonly account: string;
  readonly character: string;
  state: BotState = "waiting";
  link: BotLink | undefined;
  loggedIn = false;
  failure: string | undefined;
  characterId: string | undefined;
  entity = 0;
  /** Where the bot stands, in world units: what it last sent, or where the server put it. */
  x = 0;
  y = 0;
  /** Where it first entered the world this run. */
  spawn: Point | undefined;
  enteredAt: number | undefined;
  /** Milliseconds from first entering to reaching the spot its behavior wants (once). */
  placedMs: number | undefined;
  /** For each disconnection: from the drop to back in the world. */
  readonly returnMs: number[] = [];
  readonly counters = newCounters();
  readonly closeCodes: Tally = {};
  readonly refusals: Tally = {};
  bytes = 0;
  frames = 0;
  updates = 0;
  readonly ledger: BotLedger;
  readonly mind: Mind;
  readonly random = Math.random;
  private target: Point | undefined;
  private token: Uint8Array | undefined;
  private url: string | undefined;
  private leaving = false;
  private lastMoveAt = 0;
  private nextPingAt = 0;
  private nextChatAt: number;
  private chatLines = 0;
  /** Gold is topped up once a run at most. */
  private grantAsked = false;
  /** Offers made to this bot: a trade is counted once, by the side that was offered it. */
  private readonly offersToMe = new Set<number>();
  private restUntil = 0;
  /** The dungeon the bot is in (its size is the world's while inside), none in the realm's world. */
  dungeon: { kind: string; width: number; height: number } | undefined;

  constructor(
    readonly n: number,
    private readonly ctx: BotContext,
  ) {
    this.account = botAccount(n);
    this.character = botCharacter(n);
    this.ledger = { account: this.account, characterId: undefined, character: this.character, wallet: undefined, events: [], party: undefined };
    this.nextChatAt = Date.now() + this.random() * CHAT_EVERY_MS;
    this.mind = ctx.mind(this);
  }

  get inWorld(): boolean {
    return this.state === "world";
  }

  /** The world the bot is in: the realm's, or its dungeon's. */
  get world(): { width: number; height: number } {
    return this.dungeon ?? this.ctx.realm.world;
  }

  /** The realm the bot plays in (a dungeon behavior reads its entrances). */
  get realm(): RealmSpec {
    return this.ctx.realm;
  }

  /** Logs in and enters the world, trying again until it works, is refused for good, or the run stops. */
  async start(): Promise<void> {
    this.state = "entering";
    await this.enterFresh();
  }

  private fail(why: string): void {
    this.state = "failed";
    this.failure = why;
    this.ctx.log.warn("bot-failed", { bot: this.account, why });
    this.link?.close();
  }

  private async enterFresh(): Promise<void> {
    for (let attempt = 0; !this.ctx.stopping(); attempt++) {
      try {
        const granted = await this.ctx.door.login(this.account, this.ctx.password, () => this.ctx.stopping());
        this.loggedIn = true;
        const link = await this.connect(granted.client);
        link.send({ op: PlayerOp.CMSG_HELLO, version: PLAYER_PROTOCOL_VERSION, session: granted.session });
        await link.next("SMSG_WELCOME", WELCOME_MS, isOp(PlayerOp.SMSG_WELCOME));
        const character = await this.characterOf(link);
        this.characterId = this.ledger.characterId = character.id;
        const entering = link.next("SMSG_ENTERED", ENTER_MS, isOp(PlayerOp.SMSG_ENTERED, PlayerOp.SMSG_CHAR_REFUSED));
        link.send({ op: PlayerOp.CMSG_CHAR_SELECT, characterId: character.id });
        const answer = await entering;
        if (answer.op === PlayerOp.SMSG_CHAR_REFUSED) throw new Error(`select refused: ${answer.text}`);
        this.entered(link, answer);
        return;
      } catch (err) {
        if (this.ctx.stopping()) return;
        if (err instanceof LoginRefused || err instanceof CharacterRefused) return this.fail((err as Error).message);
        if (err instanceof LinkClosed && FOR_CAUSE.has(err.closed.code)) return this.fail(`closed ${err.closed.code} while entering: ${err.closed.reason}`);
        this.ctx.log.info("bot-enter-retry", { bot: this.account, attempt, error: (err as Error).message });
        this.link?.close();
        await sleep(Math.min(5000, 500 * 2 ** Math.min(attempt, 4)) * (0.5 + this.random()));
      }
    }
  }

  private async connect(url: string): Promise<BotLink> {
    const link = new BotLink(url, this);
    this.link = link;
    this.url = url;
    await link.connected();
    return link;
  }

  /** Its character: the one it made on an earlier run, or a new one. */
  private async characterOf(link: BotLink): Promise<CharacterEntry> {
    const listed = link.next("SMSG_CHAR_LIST", LOBBY_MS, isOp(PlayerOp.SMSG_CHAR_LIST, PlayerOp.SMSG_CHAR_REFUSED));
    link.send({ op: PlayerOp.CMSG_CHAR_LIST });
    const list = await listed;
    if (list.op === PlayerOp.SMSG_CHAR_REFUSED) throw new Error(`character list refused: ${list.text}`);
    const mine = list.characters.find((c) => c.name === this.character) ?? list.characters[0];
    if (mine) return mine;
    const created = link.next("SMSG_CHAR_CREATED", LOBBY_MS, isOp(PlayerOp.SMSG_CHAR_CREATED, PlayerOp.SMSG_CHAR_REFUSED));
    link.send({ op: PlayerOp.CMSG_CHAR_CREATE, name: this.character });
    const answer = await created;
    if (answer.op === PlayerOp.SMSG_CHAR_CREATED) return answer.character;
    if (answer.code === CHAR_REFUSAL_CODES.unavailable) throw new Error(`character create: ${answer.text}`);
    throw new CharacterRefused(`character ${this.character} refused: ${answer.text}`);
  }

  private entered(link: BotLink, e: Entered): void {
    if (link !== this.link) return;
    const now = Date.now();
    this.state = "world";
    this.entity = e.entity;
    this.token = e.token;
    // the realm's world until SMSG_WORLD_CHANGED says otherwise (a resume inside a dungeon)
    this.dungeon = undefined;
    this.x = (e.qx * this.world.width) / 65535;
    this.y = (e.qy * this.world.height) / 65535;
    this.spawn ??= { x: this.x, y: this.y };
    this.enteredAt ??= now;
    this.lastMoveAt = now;
    this.nextPingAt = now;
  }

  /** The behavior's spot is reached: counted once, from the first entry. */
  placed(now: number): void {
    if (this.placedMs === undefined && this.enteredAt !== undefined) this.placedMs = now - this.enteredAt;
  }

  walkTo(p: Point): void {
    this.target = { x: Math.max(0, Math.min(this.world.width - 0.01, p.x)), y: Math.max(0, Math.min(this.world.height - 0.01, p.y)) };
  }

  halt(): void {
    this.target = undefined;
  }

  /** Whether it stands within `within` units of where it is walking (true when it walks nowhere). */
  arrived(within = 0.01): boolean {
    return !this.target || distance(this, this.target) <= within;
  }

  send(m: ClientMessage): void {
    if (this.inWorld) this.link?.send(m);
  }

  /** One step of the world, about ten times a second. */
  step(now: number): void {
    if (!this.inWorld) return;
    if (now >= this.restUntil) {
      this.mind.step(now);
      this.walk(now);
    }
    if (now >= this.nextPingAt) {
      this.nextPingAt = now + PING_EVERY_MS;
      this.link?.ping();
    }
    if (now >= this.nextChatAt) {
      this.nextChatAt = now + CHAT_EVERY_MS * (0.5 + this.random());
      const text = `${this.character} says hello #${++this.chatLines}`;
      this.send({ op: this.random() < ZONE_CHAT_SHARE ? PlayerOp.CMSG_ZONE_CHAT : PlayerOp.CMSG_SAY, text });
      this.counters.chatSent++;
    }
  }

  private walk(now: number): void {
    const dt = Math.min(MAX_STEP_S, (now - this.lastMoveAt) / 1000);
    this.lastMoveAt = now;
    if (!this.target || (this.x === this.target.x && this.y === this.target.y)) return;
    const next = stepToward(this, this.target, WALK_SPEED * dt);
    const heading = Math.atan2(next.y - this.y, next.x - this.x);
    this.x = next.x;
    this.y = next.y;
    this.link?.moveTo(this.x, this.y, heading);
  }

  /** Every server message of the current link. */
  heard(link: BotLink, m: ServerMessage): void {
    if (link !== this.link) return;
    const now = Date.now();
    const c = this.counters;
    switch (m.op) {
      case PlayerOp.SMSG_PONG:
        this.ctx.rtt.add(Math.max(0, now - m.clientTime - (m.serverSend - m.serverReceive)));
        break;
      case PlayerOp.SMSG_CORRECT:
        this.x = (m.qx * this.world.width) / 65535;
        this.y = (m.qy * this.world.height) / 65535;
        c.corrections++;
        tally(this.refusals, `corrected: ${CORRECTION_REASONS.get(m.reason) ?? m.reason}`);
        break;
      case PlayerOp.SMSG_ZONE_CHANGED:
        c.handoffs++;
        break;
      case PlayerOp.SMSG_WORLD_CHANGED:
        if (m.dungeon) c.dungeonsEntered++;
        else if (this.dungeon) c.dungeonsLeft++;
        this.dungeon = m.dungeon ? { kind: m.dungeon, width: m.width, height: m.height } : undefined;
        this.x = (m.qx * m.width) / 65535;
        this.y = (m.qy * m.height) / 65535;
        this.target = undefined;
        break;
      case PlayerOp.SMSG_CHAT:
        if (m.from !== this.entity) c.chatHeard++;
        break;
      case PlayerOp.SMSG_REFUSED:
        tally(this.refusals, m.reason);
        if (m.reason === "dead") this.restUntil = now + DEAD_REST_MS;
        break;
      case PlayerOp.SMSG_LOOT:
        c.loots++;
        this.ledger.events.push({ kind: "loot", at: now, opId: m.opId, itemId: m.itemId, item: m.item, target: m.target });
        if (this.ledger.wallet && m.itemId) this.ledger.wallet = { ...this.ledger.wallet, at: now, items: [...this.ledger.wallet.items, { id: m.itemId, kind: String(m.item) }] };
        break;
      case PlayerOp.SMSG_TRADE_OFFERED:
        this.offersToMe.add(m.offer);
        break;
      case PlayerOp.SMSG_TRADE_RESULT: {
        const mine = this.offersToMe.delete(m.offer);
        if (m.ok) {
          if (mine) c.tradesDone++;
          this.ledger.events.push({ kind: "trade", at: now, opId: m.opId, offer: m.offer, goldChange: m.goldChange, gold: m.gold, received: m.received, given: m.given });
          this.ledger.wallet = applyTrade(this.ledger.wallet, m, now);
        } else if (mine) {
          c.tradesRefused++;
          tally(this.refusals, `trade: ${m.reason || "refused"}`);
        }
        break;
      }
      case PlayerOp.SMSG_PARTY:
        this.ledger.party = { id: m.id, members: m.members.map((x) => x.characterId).sort() };
        break;
      case PlayerOp.SMSG_WALLET:
        this.ledger.wallet = { at: now, gold: m.gold, items: m.items };
        if (this.ctx.grantGold && !this.grantAsked && m.gold < TRADING_GOLD / 2) {
          this.grantAsked = true;
          void this.ctx.grantGold(this, TRADING_GOLD - m.gold).catch((err: Error) => this.ctx.log.warn("bot-grant-failed", { bot: this.account, error: err.message }));
        }
        break;
    }
    if (this.inWorld) this.mind.heard?.(m, now);
  }

  /** A gold grant the database acknowledged. */
  granted(opId: string, amount: number, gold: number): void {
    const now = Date.now();
    this.counters.goldGranted += amount;
    this.ledger.events.push({ kind: "grant", at: now, opId, amount, gold });
    if (this.ledger.wallet) this.ledger.wallet = { ...this.ledger.wallet, at: now, gold };
  }

  received(bytes: number, world: WorldUpdate | undefined): void {
    this.bytes += bytes;
    this.frames++;
    if (world) this.updates += world.spawns.length + world.updates.length + world.despawns.length;
  }

  protocolError(err: Error): void {
    this.counters.protocolErrors++;
    this.ctx.log.error("bot-protocol-error", { bot: this.account, error: err.message });
  }

  linkClosed(link: BotLink, closed: Closed): void {
    if (link !== this.link || this.leaving) return;
    if (this.state !== "world") return;
    this.counters.disconnects++;
    tally(this.closeCodes, closed.code);
    this.ctx.log.info("bot-disconnected", { bot: this.account, code: closed.code, reason: closed.reason, url: this.url });
    if (FOR_CAUSE.has(closed.code)) return this.fail(`closed ${closed.code}: ${closed.reason}`);
    this.state = "recovering";
    void this.recover(closed);
  }

  /** Back into the world: resume on any client node within the grace period, else log in again. */
  private async recover(closed: Closed): Promise<void> {
    const token = this.token;
    if (token && closed.code !== CloseCode.NORMAL && (await this.resumeBefore(closed.at + this.ctx.realm.reconnectGraceMs - 1000, token))) {
      this.counters.resumes++;
      this.returnMs.push(Date.now() - closed.at);
      return;
    }
    if (this.ctx.stopping()) return;
    this.token = undefined;
    this.state = "entering";
    await this.enterFresh();
    if (this.inWorld) {
      this.counters.relogins++;
      this.returnMs.push(Date.now() - closed.at);
    }
  }

  /** Tries every client node, the others before the one that dropped it, until one takes the token. */
  private async resumeBefore(deadline: number, token: Uint8Array): Promise<boolean> {
    const urls = this.ctx.clientUrls;
    const at = Math.max(0, urls.indexOf(this.url ?? ""));
    const order = [...urls.slice(at + 1), ...urls.slice(0, at + 1)];
    for (let round = 0; Date.now() < deadline && !this.ctx.stopping(); round++) {
      for (const url of order) {
        const outcome = await this.tryResume(url, token);
        if (outcome !== "failed") return outcome === "resumed";
        if (this.ctx.stopping()) return false;
      }
      await sleep(Math.min(2000, 250 * 2 ** round));
    }
    return false;
  }

  private async tryResume(url: string, token: Uint8Array): Promise<"resumed" | "refused" | "failed"> {
    try {
      const link = await this.connect(url);
      const entering = link.next("SMSG_ENTERED", ENTER_MS, isOp(PlayerOp.SMSG_ENTERED));
      link.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token });
      this.entered(link, await entering);
      this.ctx.log.info("bot-resumed", { bot: this.account, url });
      return "resumed";
    } catch (err) {
      this.link?.close();
      return err instanceof LinkClosed && err.closed.code === CloseCode.RESUME_REFUSED ? "refused" : "failed";
    }
  }

  /** The end of the run: the character leaves the world (and is saved there), the socket closes. */
  async leave(): Promise<void> {
    const link = this.link;
    const wasIn = this.inWorld;
    this.leaving = true;
    if (this.state !== "failed") this.state = "left";
    if (!link) return;
    if (wasIn && link.open) {
      link.send({ op: PlayerOp.CMSG_LEAVE });
      await Promise.race([new Promise<void>((resolve) => link.ws.once("close", () => resolve())), sleep(LEAVE_MS)]);
    }
    link.close();
  }
}
