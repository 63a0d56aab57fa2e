// The browser SDK: one player's session with a realm, from the HTTP login to the world, on the
// same codec, view and move numbering as the client node (common/player-*.ts). Remote entities
// are interpolated in the past (interpolation.ts); the own character is predicted at once and
// reconciled with SMSG_CORRECT by replaying the moves the server had not seen; a dropped socket or
// a dead client node is resumed with the token on any client node within the grace period. A
// dungeon is a world of its own (SMSG_WORLD_CHANGED): positions are over its size while inside.
import { ClockSync, WorldView } from "../../../common/player-view.ts";
import { decodeServerFrame, encodeClient, WorldHeaderState, type CharacterEntry, type ClientMessage, type DungeonNews, type ServerMessage, type Welcome, type WalletItem, type WorldUpdate } from "../../../common/player-codec.ts";
import { CloseCode, closeCodeName, DungeonState, GuildAction, PartyAction, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../../common/player-opcodes.ts";
import { MoveSequencer } from "../../../common/player-moves.ts";
import { chatCommand } from "./chat-commands.ts";
import { Interpolator } from "./interpolation.ts";
import { login, realms, register, type Granted, type QueuePlace, type RealmEntry } from "./login-api.ts";

export type { CharacterEntry, DungeonNews, RealmEntry, WalletItem, Welcome };

/** The world the character is in: the realm's (`dungeon` empty) or a dungeon's, and its size. */
export interface WorldPlace {
  dungeon: string;
  width: number;
  height: number;
  cell: number;
}

export type ClientState = "idle" | "logging-in" | "queued" | "connecting" | "lobby" | "entering" | "world" | "reconnecting" | "closed";

/** Characters walk at 7 units/s (nodes/realm/characters.ts); a tenth under it, so jitter never reads as a speed hack. */
export const WALK_SPEED = 6.3;
/** The zone banks one second of movement; a frame after a stall moves at most this much time. */
const MAX_STEP_S = 0.25;
const PING_EVERY_MS = 2000;
/** The realm's reconnect_grace by default: how long resuming is worth trying. */
const DEFAULT_GRACE_MS = 30_000;
const RESUME_CONNECT_MS = 3000;
const CHAT_KEPT = 100;

/** Closes after which the character is gone or the session is spent: log in again, never resume. */
const FINAL_CLOSES = new Set<number>([
  CloseCode.NORMAL,
  CloseCode.UNSUPPORTED_VERSION,
  CloseCode.SESSION_REFUSED,
  CloseCode.RESUME_REFUSED,
  CloseCode.REALM_RESTARTING,
  CloseCode.TEXT_FRAME,
  CloseCode.FRAME_TOO_LARGE,
  CloseCode.UNKNOWN_OPCODE,
  CloseCode.MALFORMED,
  CloseCode.OUT_OF_ORDER,
  CloseCode.FLOOD,
  CloseCode.IMPLAUSIBLE_MOVEMENT,
  CloseCode.SLOW_CONSUMER,
  CloseCode.KICKED,
  CloseCode.RESUMED_ELSEWHERE,
]);

export interface VisibleEntity {
  id: number;
  kind: number;
  template: number;
  level: number;
  x: number;
  y: number;
  /** Radians. */
  heading: number;
  /** Share of the maximum, 0..1. */
  hp: number;
  flags: number;
  name: string | undefined;
}

export interface ChatLine {
  channel: number;
  from: number;
  fromName: string;
  text: string;
  at: number;
}

export interface Notice {
  kind: number;
  seconds: number;
  text: string;
  at: number;
}

export interface Closed {
  code: number;
  reason: string;
  /** No resume follows: the player logs in again. */
  final: boolean;
}

interface Events {
  state: ClientState;
  queue: QueuePlace;
  characters: CharacterEntry[];
  refused: { request: number; code: number; text: string };
  chat: ChatLine;
  notice: Notice;
  wallet: { gold: number; items: WalletItem[] };
  event: string;
  closed: Closed;
  entered: { entity: number; resumed: boolean };
  correct: { x: number; y: number; reason: number; replayed: number };
  trade: ServerMessage;
  /** The character is in another world: a dungeon, or the realm's again. */
  world: WorldPlace;
  /** How a request to enter a dungeon goes (queued, entering, admitted, dropped, refused). */
  dungeon: DungeonNews;
  social: Social;
}

/** The player's party, guild, friends and standing invitations, as the realm last pushed them. */
export interface Social {
  party: Extract<ServerMessage, { op: typeof PlayerOp.SMSG_PARTY }> | undefined;
  guild: Extract<ServerMessage, { op: typeof PlayerOp.SMSG_GUILD }> | undefined;
  friends: Extract<ServerMessage, { op: typeof PlayerOp.SMSG_FRIENDS }>["friends"];
  invites: Omit<Extract<ServerMessage, { op: typeof PlayerOp.SMSG_INVITES }>, "op">;
}

type Listener<K extends keyof Events> = (value: Events[K]) => void;

export interface RealmClientOptions {
  /** A login node's base URL (the page's own origin when the login node serves it). */
  loginUrl: string;
  reconnectGraceMs?: number;
}

export class RealmClient {
  state: ClientState = "idle";
  welcome: Welcome | undefined;
  selfId = 0;
  characters: CharacterEntry[] = [];
  readonly view = new WorldView();
  readonly clock = new ClockSync();
  readonly interp = new Interpolator();
  readonly chat: ChatLine[] = [];
  readonly notices: Notice[] = [];
  readonly social: Social = { party: undefined, guild: undefined, friends: [], invites: { party: [], guild: [] } };
  gold = 0;
  items: WalletItem[] = [];
  closed: Closed | undefined;
  /** Where the character is: the realm's world, or a dungeon (positions below are over its size). */
  place: WorldPlace = { dungeon: "", width: 0, height: 0, cell: 0 };
  /** The last word on a dungeon request, until the character is inside. */
  dungeonNews: DungeonNews | undefined;
  /** How fast the own character walks, units/s; the zone decides what it accepts. */
  walkSpeed = WALK_SPEED;
  readonly stats = { rttMs: 0, fps: 0, interpDelayMs: 0, entities: 0, corrections: 0, resumes: 0 };

  private readonly listeners = new Map<keyof Events, Set<(v: never) => void>>();
  private readonly graceMs: number;
  private ws: WebSocket | undefined;
  /** The socket's SMSG_WORLD header state: a new socket starts from none. */
  private header = new WorldHeaderState();
  private granted: Granted | undefined;
  private token: Uint8Array | undefined;
  private moves: MoveSequencer | undefined;
  /** The own character where the player sees it: the last move sent plus the steps not sent yet. */
  private localX = 0;
  private localY = 0;
  private heading = 0;
  private walkDir = { x: 0, y: 0 };
  private target: { x: number; y: number } | undefined;
  private lastUpdate = 0;
  private lastMoveSent = 0;
  /** A correction replayed moves the server never saw: the next update sends the place again. */
  private resend = false;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private frameTimes: number[] = [];
  private readonly names = new Map<number, string>();
  private selectedName = "";
  private stopped = false;
  /** Why the client closed the socket itself (a frame it could not read), for the close's reason. */
  private fault: string | undefined;
  private readonly lastQ = new Map<number, { qx: number; qy: number; heading: number }>();

  constructor(private readonly opts: RealmClientOptions) {
    this.graceMs = opts.reconnectGraceMs ?? DEFAULT_GRACE_MS;
  }

  on<K extends keyof Events>(event: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as Listener<K>)(value);
      } catch (err) {
        // a page's handler failing must not break the session
        console.error(err);
      }
    }
  }

  private setState(s: ClientState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit("state", s);
  }

  realms(): Promise<RealmEntry[]> {
    return realms(this.opts.loginUrl);
  }

  register(username: string, password: string): Promise<void> {
    return register(this.opts.loginUrl, username, password);
  }

  /** Logs in over HTTP (queued while the realm is full), then opens the client node's WebSocket and says hello. */
  async login(username: string, password: string, realm: string): Promise<void> {
    this.stopped = false;
    this.closed = undefined;
    this.setState("logging-in");
    try {
      this.granted = await login(
        this.opts.loginUrl,
        username,
        password,
        realm,
        (q) => {
          this.setState("queued");
          this.emit("queue", q);
        },
        () => this.stopped,
      );
    } catch (err) {
      this.setState("idle");
      throw err;
    }
    this.setState("connecting");
    const ws = await this.open(this.granted.client);
    this.send({ op: PlayerOp.CMSG_HELLO, version: PLAYER_PROTOCOL_VERSION, session: this.granted.session }, ws);
  }

  /** The client node this session's socket is open to, if any. */
  get url(): string | undefined {
    return this.ws?.url;
  }

  private open(url: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`no answer from ${url}`));
      }, RESUME_CONNECT_MS);
      ws.onopen = () => {
        clearTimeout(timer);
        this.ws = ws;
        this.header = new WorldHeaderState();
        this.startPings(ws);
        resolve(ws);
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${url}`));
      };
      ws.onmessage = (e: MessageEvent) => {
        if (ws === this.ws && e.data instanceof ArrayBuffer) this.receive(new Uint8Array(e.data));
      };
      ws.onclose = (e: CloseEvent) => {
        clearTimeout(timer);
        if (ws === this.ws) this.dropped(e.code, e.reason, url);
      };
    });
  }

  private startPings(ws: WebSocket): void {
    clearInterval(this.pinger);
    const ping = () => ws.readyState === WebSocket.OPEN && this.send({ op: PlayerOp.CMSG_PING, clientTime: Date.now() }, ws);
    ping();
    this.pinger = setInterval(ping, PING_EVERY_MS);
  }

  private send(m: ClientMessage, ws = this.ws): void {
    if (ws?.readyState === WebSocket.OPEN) ws.send(encodeClient(m));
  }

  private receive(frame: Uint8Array): void {
    let messages: ServerMessage[];
    try {
      messages = decodeServerFrame(frame, this.header);
    } catch (err) {
      // a frame we cannot read means our view of the world is wrong from here on: start again
      return this.protocolError(`a frame from the server does not decode: ${(err as Error).message}`);
    }
    for (const m of messages) {
      try {
        this.message(m);
      } catch (err) {
        return this.protocolError(`the server's ${m.op} broke the view: ${(err as Error).message}`);
      }
    }
  }

  private protocolError(why: string): void {
    this.fault = why;
    this.emit("event", why);
    // closing with a code of ours; the close handler resumes, and a resume starts from a full view
    this.ws?.close(4000, "client protocol error");
  }

  private message(m: ServerMessage): void {
    switch (m.op) {
      case PlayerOp.SMSG_WELCOME:
        this.welcome = m;
        this.place = { dungeon: "", width: m.worldWidth, height: m.worldHeight, cell: m.cell };
        this.moves = new MoveSequencer(m.worldWidth, m.worldHeight);
        if (this.state === "connecting") {
          this.setState("lobby");
          this.listCharacters();
        }
        return;
      case PlayerOp.SMSG_PONG: {
        const t3 = Date.now();
        this.clock.add(m.clientTime, m.serverReceive, m.serverSend, t3);
        this.stats.rttMs = Math.max(0, t3 - m.clientTime - (m.serverSend - m.serverReceive));
        return;
      }
      case PlayerOp.SMSG_CHAR_LIST:
        this.characters = m.characters;
        return this.emit("characters", this.characters);
      case PlayerOp.SMSG_CHAR_CREATED:
        this.characters = [...this.characters, m.character];
        return this.emit("characters", this.characters);
      case PlayerOp.SMSG_CHAR_DELETED:
        this.characters = this.characters.filter((c) => c.id !== m.characterId);
        return this.emit("characters", this.characters);
      case PlayerOp.SMSG_CHAR_REFUSED:
        if (this.state === "entering") this.setState("lobby");
        return this.emit("refused", { request: m.request, code: m.code, text: m.text });
      case PlayerOp.SMSG_ENTERED:
        return this.entered(m.entity, m.qx, m.qy, m.resumed, m.token);
      case PlayerOp.SMSG_WORLD:
        return this.world(m);
      case PlayerOp.SMSG_VIEW_RESET:
        this.view.clear();
        this.interp.clear();
        this.lastQ.clear();
        return;
      case PlayerOp.SMSG_CORRECT:
        return this.corrected(m.qx, m.qy, m.reason, m.seq);
      case PlayerOp.SMSG_CHAT: {
        this.names.set(m.from, m.fromName);
        const line = { channel: m.channel, from: m.from, fromName: m.fromName, text: m.text, at: Date.now() };
        this.chat.push(line);
        if (this.chat.length > CHAT_KEPT) this.chat.shift();
        return this.emit("chat", line);
      }
      case PlayerOp.SMSG_NOTICE: {
        const notice = { kind: m.kind, seconds: m.seconds, text: m.text, at: Date.now() };
        this.notices.push(notice);
        if (this.notices.length > CHAT_KEPT) this.notices.shift();
        return this.emit("notice", notice);
      }
      case PlayerOp.SMSG_WALLET:
        this.gold = m.gold;
        this.items = m.items;
        return this.emit("wallet", { gold: this.gold, items: this.items });
      case PlayerOp.SMSG_COMBAT:
        return this.emit("event", `${this.nameOf(m.from)} ${m.from === this.selfId ? "hit" : "hits"} ${this.nameOf(m.target)} for ${m.amount}`);
      case PlayerOp.SMSG_LOOT:
        this.items = [...this.items, { id: m.itemId, kind: `item-${m.item}` }];
        this.emit("wallet", { gold: this.gold, items: this.items });
        return this.emit("event", `you loot item ${m.item}`);
      case PlayerOp.SMSG_REFUSED:
        return this.emit("event", `refused: ${m.reason}`);
      case PlayerOp.SMSG_SOCIAL_RESULT:
        if (m.code !== 0) this.emit("event", `refused: ${m.text}`);
        return;
      case PlayerOp.SMSG_PARTY:
        this.social.party = m.id ? m : undefined;
        return this.emit("social", this.social);
      case PlayerOp.SMSG_GUILD:
        this.social.guild = m.id ? m : undefined;
        return this.emit("social", this.social);
      case PlayerOp.SMSG_FRIENDS:
        this.social.friends = m.friends;
        return this.emit("social", this.social);
      case PlayerOp.SMSG_INVITES:
        this.social.invites = { party: m.party, guild: m.guild };
        return this.emit("social", this.social);
      case PlayerOp.SMSG_PRESENCE: {
        const { party, guild, friends } = this.social;
        for (const x of [...(party?.members ?? []), ...(guild?.members ?? []), ...friends]) if (x.characterId === m.characterId) x.online = m.online;
        this.emit("event", `${m.name} ${m.online ? "comes online" : "goes offline"}`);
        return this.emit("social", this.social);
      }
      case PlayerOp.SMSG_ZONE_CHANGED:
        return this.emit("event", `you enter ${this.welcome?.zones[m.zone] ?? `zone ${m.zone}`}`);
      case PlayerOp.SMSG_LEFT:
        return this.emit("event", `left the world: ${m.reason}`);
      case PlayerOp.SMSG_TRADE_RESULT:
        if (m.ok) this.gold = m.gold;
        this.emit("trade", m);
        return this.emit("event", m.ok ? `trade done: ${m.goldChange >= 0 ? "+" : ""}${m.goldChange} gold` : `trade failed: ${m.reason}`);
      case PlayerOp.SMSG_TRADE_OFFERED:
        this.emit("trade", m);
        return this.emit("event", `${m.fromName} offers ${m.gold} gold and ${m.items.length} items`);
      case PlayerOp.SMSG_WORLD_CHANGED:
        return this.worldChanged({ dungeon: m.dungeon, width: m.width, height: m.height, cell: m.cell }, m.qx, m.qy);
      case PlayerOp.SMSG_DUNGEON:
        this.dungeonNews = m;
        this.emit("dungeon", m);
        return this.emit("event", dungeonWords(m));
    }
  }

  /** Into a dungeon or back out: the view was reset just before; moves are quantized over the new size. */
  private worldChanged(place: WorldPlace, qx: number, qy: number): void {
    if (!this.moves) return;
    this.place = place;
    const x = (qx * place.width) / 65535;
    const y = (qy * place.height) / 65535;
    this.moves.worldChanged(place.width, place.height, x, y);
    this.localX = x;
    this.localY = y;
    this.target = undefined;
    this.resend = false;
    // news of a request is settled by the move; an ENTERING answer can even arrive after the move in
    this.dungeonNews = undefined;
    this.emit("world", place);
    this.emit("event", place.dungeon ? `you enter the ${place.dungeon}` : "you are back in the realm");
  }

  private entered(entity: number, qx: number, qy: number, resumed: boolean, token: Uint8Array): void {
    const w = this.welcome;
    if (!w || !this.moves) return;
    this.selfId = entity;
    this.token = token;
    this.view.clear();
    this.interp.clear();
    this.lastQ.clear();
    if (this.selectedName) this.names.set(entity, this.selectedName);
    // the realm's world until SMSG_WORLD_CHANGED says otherwise (it follows at once inside a dungeon)
    this.place = { dungeon: "", width: w.worldWidth, height: w.worldHeight, cell: w.cell };
    const x = (qx * w.worldWidth) / 65535;
    const y = (qy * w.worldHeight) / 65535;
    // a resume keeps walking from where the player saw itself, unless the server placed it elsewhere
    this.moves.placed(x, y);
    this.localX = x;
    this.localY = y;
    this.target = resumed ? this.target : undefined;
    if (resumed) this.stats.resumes++;
    this.setState("world");
    this.emit("entered", { entity, resumed });
  }

  private world(u: WorldUpdate): void {
    const w = this.place;
    if (!this.welcome) return;
    const now = Date.now();
    this.view.apply(u);
    this.interp.frame(u.time, now);
    this.frameTimes.push(now);
    while (this.frameTimes.length > 0 && now - this.frameTimes[0]! > 1000) this.frameTimes.shift();
    const seen = new Set<number>();
    for (const [id, e] of this.view.entities()) {
      seen.add(id);
      const last = this.lastQ.get(id);
      if (last && last.qx === e.qx && last.qy === e.qy && last.heading === e.heading) continue;
      this.lastQ.set(id, { qx: e.qx, qy: e.qy, heading: e.heading });
      this.interp.place(id, { t: u.time, x: (e.qx * w.width) / 65535, y: (e.qy * w.height) / 65535, heading: (e.heading / 256) * 2 * Math.PI, moving: (e.flags & 1) === 1 });
    }
    for (const id of this.lastQ.keys()) {
      if (seen.has(id)) continue;
      this.lastQ.delete(id);
      this.interp.forget(id);
    }
  }

  private corrected(qx: number, qy: number, reason: number, seq: number): void {
    const w = this.place;
    if (!this.welcome || !this.moves) return;
    // the steps walked since the last move sent ride on top of the replayed ones
    const unsentX = this.localX - this.moves.x;
    const unsentY = this.localY - this.moves.y;
    const replayed = this.moves.corrected((qx * w.width) / 65535, (qy * w.height) / 65535, seq);
    this.localX = this.moves.x + unsentX;
    this.localY = this.moves.y + unsentY;
    // the replayed moves carried the old count, so the client node dropped them: say the place again
    this.resend = replayed > 0;
    this.stats.corrections++;
    this.emit("correct", { x: this.moves.x, y: this.moves.y, reason, replayed });
  }

  /** Call every animation frame: walks the own character at once and sends a move at most once per tick. */
  update(now: number): void {
    const dt = this.lastUpdate > 0 ? Math.min(MAX_STEP_S, (now - this.lastUpdate) / 1000) : 0;
    this.lastUpdate = now;
    this.stats.fps = this.frameTimes.length;
    this.stats.interpDelayMs = Math.round(this.interp.delayMs);
    this.stats.entities = this.view.size;
    const w = this.welcome;
    if (this.state !== "world" || !w || !this.moves) return;
    // keys win over a click's target; walking to a target stops on it
    const toTarget = this.target !== undefined && this.walkDir.x === 0 && this.walkDir.y === 0;
    const dx = toTarget ? this.target!.x - this.localX : this.walkDir.x;
    const dy = toTarget ? this.target!.y - this.localY : this.walkDir.y;
    const len = Math.hypot(dx, dy);
    if (len > 0) {
      const step = Math.min(this.walkSpeed * dt, toTarget ? len : Infinity);
      this.localX = Math.max(0, Math.min(this.place.width - 0.01, this.localX + (dx / len) * step));
      this.localY = Math.max(0, Math.min(this.place.height - 0.01, this.localY + (dy / len) * step));
      this.heading = Math.atan2(dy, dx);
      if (this.target && Math.hypot(this.target.x - this.localX, this.target.y - this.localY) < 0.01) this.target = undefined;
    }
    const moved = this.resend || this.localX !== this.moves.x || this.localY !== this.moves.y;
    if (moved && now - this.lastMoveSent >= 1000 / w.tickHz) {
      this.lastMoveSent = now;
      this.resend = false;
      this.send(this.moves.moveTo(this.localX, this.localY, this.heading));
      // what the server will hold: the quantized place
      if (len === 0) {
        this.localX = this.moves.x;
        this.localY = this.moves.y;
      }
    }
  }

  /** Walk in a direction (keys); (0, 0) stops. */
  setWalkDirection(dx: number, dy: number): void {
    this.walkDir = { x: dx, y: dy };
    if (dx !== 0 || dy !== 0) this.target = undefined;
  }

  /** Walk to a place (a click). */
  walkTo(x: number, y: number): void {
    this.target = { x, y };
  }

  /** The own character, predicted. */
  me(): { x: number; y: number } | undefined {
    return this.state === "world" || this.state === "reconnecting" ? { x: this.localX, y: this.localY } : undefined;
  }

  /** What the server last said of the own character (its record in the view). */
  serverMe(): { x: number; y: number } | undefined {
    const w = this.place;
    const e = this.view.get(this.selfId);
    return this.welcome && e ? { x: (e.qx * w.width) / 65535, y: (e.qy * w.height) / 65535 } : undefined;
  }

  /** Every entity in view as it should be drawn now: remote ones interpolated, the own one predicted. */
  entitiesAt(now: number): VisibleEntity[] {
    const out: VisibleEntity[] = [];
    const t = this.interp.renderTime(now);
    for (const [id, e] of this.view.entities()) {
      const own = id === this.selfId;
      const p = own ? { x: this.localX, y: this.localY, heading: this.heading } : this.interp.at(id, t);
      if (!p) continue;
      out.push({ id, kind: e.kind, template: e.template, level: e.level, x: p.x, y: p.y, heading: p.heading, hp: e.hp / 255, flags: e.flags, name: this.names.get(id) });
    }
    // entered, but the zone's first snapshot of the own character is not here yet
    if (this.state === "world" && this.selfId > 0 && !out.some((e) => e.id === this.selfId)) {
      out.push({ id: this.selfId, kind: 1, template: 0, level: 1, x: this.localX, y: this.localY, heading: this.heading, hp: 1, flags: 0, name: this.names.get(this.selfId) });
    }
    return out;
  }

  /** Names come with chat; what has not spoken is called by its kind. */
  private nameOf(id: number): string {
    if (id === this.selfId) return "you";
    const named = this.names.get(id);
    if (named) return named;
    const kind = this.view.get(id)?.kind;
    return kind === 2 ? "a creature" : kind === 1 ? "a player" : "something";
  }

  listCharacters(): void {
    this.send({ op: PlayerOp.CMSG_CHAR_LIST });
  }

  createCharacter(name: string): void {
    this.send({ op: PlayerOp.CMSG_CHAR_CREATE, name });
  }

  deleteCharacter(characterId: string): void {
    this.send({ op: PlayerOp.CMSG_CHAR_DELETE, characterId });
  }

  selectCharacter(characterId: string): void {
    this.selectedName = this.characters.find((c) => c.id === characterId)?.name ?? "";
    this.setState("entering");
    this.send({ op: PlayerOp.CMSG_CHAR_SELECT, characterId });
  }

  say(text: string): void {
    this.send({ op: PlayerOp.CMSG_SAY, text });
  }

  zoneChat(text: string): void {
    this.send({ op: PlayerOp.CMSG_ZONE_CHAT, text });
  }

  /** A typed chat line on `channel` (ChatChannel), or a slash command (chat-commands.ts); a line that makes no message says why. */
  type(line: string, channel: number): void {
    const m = chatCommand(line, channel);
    if ("error" in m) return this.emit("event", m.error);
    this.send(m);
  }

  /** Answers a standing party or guild invitation. */
  answerInvite(kind: "party" | "guild", id: string, accept: boolean): void {
    if (kind === "party") this.send({ op: PlayerOp.CMSG_PARTY, action: accept ? PartyAction.ACCEPT : PartyAction.DECLINE, arg: id });
    else this.send({ op: PlayerOp.CMSG_GUILD, action: accept ? GuildAction.JOIN : GuildAction.DECLINE, arg: id, rank: 0 });
  }

  attack(target: number): void {
    this.send({ op: PlayerOp.CMSG_ATTACK, target });
  }

  loot(target: number): void {
    this.send({ op: PlayerOp.CMSG_LOOT, target });
  }

  offerTrade(target: number, gold: number, items: string[]): void {
    this.send({ op: PlayerOp.CMSG_TRADE_OFFER, target, gold, items });
  }

  acceptTrade(offer: number, gold: number, items: string[]): void {
    this.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer, gold, items });
  }

  declineTrade(offer: number): void {
    this.send({ op: PlayerOp.CMSG_TRADE_DECLINE, offer });
  }

  /** Asks into the dungeon at this entrance (stand at it): SMSG_DUNGEON answers, SMSG_WORLD_CHANGED follows once inside. */
  enterDungeon(entrance: string): void {
    this.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance });
  }

  /** Out of the dungeon, back to its entrance. */
  leaveDungeon(): void {
    this.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
  }

  /** Leaves the world (the server closes with 1000). */
  leave(): void {
    this.stopped = true;
    this.send({ op: PlayerOp.CMSG_LEAVE });
  }

  /** Ends everything at once, without telling the server (a page closing). */
  close(): void {
    this.stopped = true;
    clearInterval(this.pinger);
    this.ws?.close(1000, "closed by the player");
    this.ws = undefined;
  }

  private dropped(code: number, reason: string, url: string): void {
    clearInterval(this.pinger);
    this.ws = undefined;
    const words = this.fault ?? (reason || closeCodeName(code) || `closed with ${code}`);
    this.fault = undefined;
    const canResume = !this.stopped && this.token !== undefined && this.granted !== undefined && !FINAL_CLOSES.has(code) && (this.state === "world" || this.state === "reconnecting");
    if (!canResume) return this.finish(code, words);
    this.emit("event", `connection lost (${words}); reconnecting`);
    this.setState("reconnecting");
    void this.resume(Date.now() + this.graceMs, code, words, url);
  }

  private finish(code: number, reason: string): void {
    this.closed = { code, reason, final: true };
    this.setState("closed");
    this.emit("closed", this.closed);
  }

  /** Tries every client node in turn, the one just lost last, until one takes the token or the grace period ends. */
  private async resume(deadline: number, code: number, words: string, lost: string): Promise<void> {
    const urls = this.granted!.clients;
    const first = urls.indexOf(lost) + 1;
    let delay = 100;
    for (let n = 0; Date.now() < deadline && !this.stopped; n++) {
      const url = urls[(first + n) % urls.length]!;
      try {
        const ws = await this.open(url);
        this.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token: this.token! }, ws);
        // the answer (SMSG_ENTERED, or a close) arrives through the socket's handlers
        return;
      } catch {
        // that node is down: the next one, backing off once every node was tried
        if (n % urls.length === urls.length - 1) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(2000, delay * 2);
        }
      }
    }
    if (!this.stopped) this.finish(code, `${words}; no client node took the session back within the grace period`);
  }
}

/** A dungeon request's news in words, for the event log. */
export function dungeonWords(m: DungeonNews): string {
  switch (m.state) {
    case DungeonState.QUEUED:
      return `${m.entrance}: every dungeon is busy, you are number ${m.position} in the queue`;
    case DungeonState.ENTERING:
      return `${m.entrance}: entering`;
    case DungeonState.ADMITTED:
      return `${m.entrance}: your turn, entering`;
    case DungeonState.DROPPED:
      return `${m.entrance}: out of the queue${m.text ? ` (${m.text})` : ""}`;
    default:
      return `refused: ${m.entrance}: ${m.text || `code ${m.code}`}`;
  }
}
