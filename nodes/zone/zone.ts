// One zone's world and its tick: intents in, movement checked, NPCs, combat and loot, cells
// published, reliable events out. No sockets here: ZoneNode wires the outputs to ZeroMQ, and
// tests drive the tick directly.
import { EntityFlag, EntityKind } from "../../common/cell-snapshot.ts";
import type { Intent, IntentOf, PlayerState, ZoneEvent } from "../../common/protocol/zone.ts";
import { Entities } from "./entities.ts";
import { Grid, type Region } from "./grid.ts";
import { MoveAllowance, type Terrain } from "./movement.ts";
import { SeqWindow } from "./seq-window.ts";
import { MELEE_RANGE, NPC_TEMPLATES, NpcBrains, templateOf, thinkNpc } from "./npcs.ts";
import { badSide, TRADE_RANGE, TradeDesk, type AgreedTrade } from "./trades.ts";

const PLAYER_ATTACK_EVERY_MS = 1000;
const PLAYER_DAMAGE = 12;
const LOOT_RANGE = 4;
/** How long only the killer may take a drop; then anyone may. */
export const LOOT_OWNER_MS = 30_000;
const SAY_RANGE = 60;
const LOOT_LIFETIME_MS = 120_000;
const PLAYER_REVIVE_MS = 5_000;

export interface PlayerInfo {
  characterId: string;
  accountId: string;
  clientNode: string;
  name: string;
  allowance: MoveAllowance;
  applied: SeqWindow;
  /** Seq of the last move applied: an older move arriving late would walk the player back. */
  moveSeq: number;
  version: number;
  nextAttackAt: number;
  /** Set while a handoff of this player is offered to another zone. */
  leavingTicket: string | undefined;
  diedAt: number;
}

interface LootInfo {
  owner: number;
  item: number;
  droppedAt: number;
}

interface ZoneOutputs {
  /** Reliable events for the players of one client node, once per tick. */
  events(clientNode: string, events: ZoneEvent[]): void;
  /** The player left the zone's region toward (x, y): hand it to whoever owns that point. */
  crossing(slot: number, state: PlayerState): void;
  /** A player left the game (or the zone): save it. */
  departed(state: PlayerState, why: string): void;
  /** A kill dropped an item and a player took it (`target`: the loot entity): the database is to make it theirs. */
  looted(player: PlayerInfo, entity: number, target: number, item: number): void;
  /** Two players agreed a trade: the database is to carry it out. */
  traded(trade: AgreedTrade): void;
  /** The player asks out of the dungeon (only an instance has this output; a zone refuses). */
  exitDungeon?(slot: number, state: PlayerState): void;
}

interface ZoneOptions {
  id: string;
  region: Region;
  cellSize: number;
  terrain: Terrain;
  tickHz: number;
  /** Players' vision radius: NPCs farther than this from every player sleep. */
  vision: number;
  npcs: number;
  /** First id of this zone's NPC and loot entities: players' ids come from the realm node. */
  entityBase: number;
  /** Ids of the other zones of the realm. */
  peers: readonly string[];
  outputs: ZoneOutputs;
  random?: () => number;
}

export class Zone {
  readonly e = new Entities();
  readonly grid: Grid;
  readonly players = new Map<number, PlayerInfo>();
  readonly brains = new NpcBrains();
  private readonly loot = new Map<number, LootInfo>();
  private readonly trades = new TradeDesk();
  private readonly intents: Intent[] = [];
  private readonly sources: string[] = [];
  /** Zones of the realm: they may pass on intents for players they handed over. */
  private readonly trusted: ReadonlySet<string>;
  /** Intents for players this zone does not hold (any more), or is handing off: the node forwards them. */
  readonly strays: Intent[] = [];
  private readonly outbox = new Map<string, ZoneEvent[]>();
  private readonly random: () => number;
  private nextEntity: number;
  tick = 0;
  awakeNpcs = 0;
  /** When the last tick ran (ms), for movement earned in real time. */
  private steppedAt: number | undefined;

  constructor(readonly opts: ZoneOptions) {
    this.grid = new Grid(opts.region, opts.cellSize);
    this.trusted = new Set(opts.peers);
    this.random = opts.random ?? Math.random;
    this.nextEntity = opts.entityBase;
    this.spawnNpcs(opts.npcs);
  }

  get playerCount(): number {
    return this.players.size;
  }

  /**
   * Takes a player in (from the realm node, or from a neighbour by handoff); selected again, it
   * stays where it is and its client node is the new one. -1: the id is another character's.
   */
  enter(p: PlayerState, arriving = false): number {
    const existing = this.e.slot(p.entity);
    if (existing !== undefined) {
      const info = this.players.get(existing);
      if (!info || info.characterId !== p.characterId) return -1;
      info.clientNode = p.clientNode;
      if (!arriving) this.emit(existing, { entity: p.entity, kind: "entered", x: this.e.x[existing]!, y: this.e.y[existing]!, zone: this.opts.id });
      return existing;
    }
    const s = this.e.add(p.entity, EntityKind.PLAYER, p.x, p.y, p.speed, p.maxHp, p.level);
    this.e.hp[s] = p.hp;
    this.e.heading[s] = p.heading;
    this.players.set(s, {
      characterId: p.characterId,
      accountId: p.accountId,
      clientNode: p.clientNode,
      name: p.name,
      allowance: new MoveAllowance(p.speed),
      applied: new SeqWindow(p.seq, p.seqMask),
      moveSeq: p.moveSeq,
      version: p.version,
      nextAttackAt: 0,
      leavingTicket: undefined,
      diedAt: 0,
    });
    this.grid.place(this.e, s);
    if (!arriving) this.emit(s, { entity: p.entity, kind: "entered", x: p.x, y: p.y, zone: this.opts.id });
    return s;
  }

  /** Removes a player (left the game, or handed to another zone) and returns its state. */
  remove(s: number): PlayerState | undefined {
    const info = this.players.get(s);
    if (!info) return undefined;
    const state = this.stateOf(s, info);
    this.trades.forget(state.entity);
    this.grid.remove(this.e, s);
    this.e.remove(s);
    this.players.delete(s);
    return state;
  }

  stateOf(s: number, info = this.players.get(s)!): PlayerState {
    const e = this.e;
    return {
      entity: e.id[s]!,
      characterId: info.characterId,
      accountId: info.accountId,
      clientNode: info.clientNode,
      name: info.name,
      x: e.x[s]!,
      y: e.y[s]!,
      heading: e.heading[s]!,
      level: e.level[s]!,
      hp: e.hp[s]!,
      maxHp: e.maxHp[s]!,
      speed: e.speed[s]!,
      version: info.version,
      seq: info.applied.high,
      seqMask: info.applied.mask,
      moveSeq: info.moveSeq,
    };
  }

  /** Queues intents for the next tick; `from` is the client node (or zone) that sent them. */
  queue(intents: readonly Intent[], from: string): void {
    for (const i of intents) {
      this.intents.push(i);
      this.sources.push(from);
    }
  }

  /** The player's client node says it was stalled this long before forwarding its moves: its walk piled up unread. */
  excuse(entity: number, seconds: number, from: string): void {
    const s = this.e.slot(entity);
    const info = s === undefined ? undefined : this.players.get(s);
    if (info?.clientNode === from) info.allowance.excuse(seconds);
  }

  /** Server-side displacement (teleport, knockback): never held against the player's speed. */
  displace(entity: number, x: number, y: number): boolean {
    const s = this.e.slot(entity);
    const info = s === undefined ? undefined : this.players.get(s);
    if (s === undefined || !info || !this.opts.terrain.inWorld(x, y)) return false;
    this.e.x[s] = x;
    this.e.y[s] = y;
    info.allowance.reset();
    this.emit(s, { entity, kind: "correct", x, y, reason: "moved by the server" });
    return true;
  }

  /** Another client node now speaks for the player (it reconnected there): events follow it. */
  reattach(entity: number, clientNode: string): PlayerState | undefined {
    const s = this.e.slot(entity);
    const info = s === undefined ? undefined : this.players.get(s);
    if (s === undefined || !info) return undefined;
    info.clientNode = clientNode;
    return this.stateOf(s, info);
  }

  /** Whether the zone still owns this entity (false once a handoff is committed). */
  owns(entity: number): boolean {
    return this.e.slot(entity) !== undefined;
  }

  step(now: number): void {
    const dt = 1 / this.opts.tickHz;
    this.tick++;
    // players walk in real time: a starved zone skips ticks, and earning one tick's worth per tick
    // run would refuse an honest walk as too fast (the allowance caps what a long gap gives)
    const walked = this.steppedAt === undefined ? dt : Math.max(0, now - this.steppedAt) / 1000;
    this.steppedAt = now;
    for (const info of this.players.values()) info.allowance.earn(walked);
    this.applyIntents(now);
    this.thinkNpcs(now, dt);
    this.revive(now);
    this.placeAndCross();
    this.flushEvents();
  }

  private applyIntents(now: number): void {
    for (let n = 0; n < this.intents.length; n++) {
      const i = this.intents[n]!;
      const s = this.e.slot(i.entity);
      const info = s === undefined ? undefined : this.players.get(s);
      if (s === undefined || !info) {
        this.strays.push(i);
        continue;
      }
      const from = this.sources[n]!;
      // only the player's own client node (or a zone passing on its intents) speaks for it
      if (from !== info.clientNode && !this.trusted.has(from)) continue;
      if (info.leavingTicket !== undefined) {
        this.strays.push(i);
        continue;
      }
      // a replayed intent is applied at most once
      if (info.applied.applied(i.seq)) continue;
      info.applied.mark(i.seq);
      if (i.kind === "move") {
        if (i.seq < info.moveSeq) continue;
        info.moveSeq = i.seq;
      }
      this.applyIntent(s, info, i, now);
    }
    this.intents.length = 0;
    this.sources.length = 0;
  }

  private applyIntent(s: number, info: PlayerInfo, i: Intent, now: number): void {
    const e = this.e;
    const entity = e.id[s]!;
    if (e.hp[s]! <= 0 && i.kind !== "leave" && i.kind !== "say" && i.kind !== "zone-chat") {
      return this.emit(s, { entity, kind: "refused", reason: "dead" });
    }
    switch (i.kind) {
      case "move": {
        const { x, y } = i;
        const verdict = info.allowance.check(this.opts.terrain, e.x[s]!, e.y[s]!, x, y);
        if (verdict !== "ok") {
          return this.emit(s, { entity, kind: "correct", x: e.x[s]!, y: e.y[s]!, reason: verdict });
        }
        if (x !== e.x[s] || y !== e.y[s]) e.heading[s] = i.heading ?? Math.atan2(y - e.y[s]!, x - e.x[s]!);
        e.x[s] = x;
        e.y[s] = y;
        return;
      }
      case "attack":
        return this.attack(s, info, i.target, now);
      case "loot":
        return this.takeLoot(s, info, i.target, now);
      case "say":
        return this.say(s, info, i.text, SAY_RANGE);
      case "zone-chat":
        return this.say(s, info, i.text, Infinity);
      case "leave": {
        const state = this.remove(s);
        if (state) this.opts.outputs.departed(state, "left the game");
        return;
      }
      case "dungeon-leave":
        if (!this.opts.outputs.exitDungeon) return this.emit(s, { entity, kind: "refused", reason: "not in a dungeon" });
        return this.opts.outputs.exitDungeon(s, this.stateOf(s, info));
      case "trade-offer":
        return this.offerTrade(s, info, i, now);
      case "trade-accept":
        return this.acceptTrade(s, info, i, now);
      case "trade-decline": {
        const offer = this.trades.take(i.offer, entity, now);
        const from = offer === undefined ? undefined : e.slot(offer.from);
        if (offer && from !== undefined) this.emit(from, { entity: offer.from, kind: "trade-result", offer: offer.id, ok: false, reason: "declined" });
        return;
      }
    }
  }

  /** The other player, if it is a player of this copy within trading range. */
  private partner(s: number, entity: number): { slot: number; info: PlayerInfo } | string {
    const t = this.e.slot(entity);
    const info = t === undefined ? undefined : this.players.get(t);
    if (t === undefined || !info || t === s) return "no such player";
    if (Math.hypot(this.e.x[t]! - this.e.x[s]!, this.e.y[t]! - this.e.y[s]!) > TRADE_RANGE) return "too far";
    return { slot: t, info };
  }

  private offerTrade(s: number, info: PlayerInfo, i: IntentOf<"trade-offer">, now: number): void {
    const entity = this.e.id[s]!;
    const other = this.partner(s, i.target);
    const bad = typeof other === "string" ? other : badSide(i.gold, i.items);
    if (bad !== undefined || typeof other === "string") return this.emit(s, { entity, kind: "refused", reason: bad ?? "no such player" });
    const offer = this.trades.open(entity, i.target, i.gold, i.items, now);
    if (!offer) return this.emit(s, { entity, kind: "refused", reason: "too many open offers" });
    this.emit(other.slot, { entity: i.target, kind: "trade-offered", offer: offer.id, from: entity, fromName: info.name, gold: offer.gold, items: offer.items });
  }

  private acceptTrade(s: number, info: PlayerInfo, i: IntentOf<"trade-accept">, now: number): void {
    const entity = this.e.id[s]!;
    const offer = this.trades.take(i.offer, entity, now);
    if (!offer) return this.emit(s, { entity, kind: "refused", reason: "no such offer" });
    const other = this.partner(s, offer.from);
    const bad = typeof other === "string" ? other : badSide(i.gold, i.items);
    if (bad !== undefined || typeof other === "string") return this.emit(s, { entity, kind: "refused", reason: bad ?? "no such player" });
    const side = (slot: number, p: PlayerInfo, gold: number, items: string[]) => ({ entity: this.e.id[slot]!, characterId: p.characterId, clientNode: p.clientNode, gold, items });
    this.opts.outputs.traded({ offer: offer.id, a: side(other.slot, other.info, offer.gold, offer.items), b: side(s, info, i.gold, i.items) });
  }

  private attack(s: number, info: PlayerInfo, target: number, now: number): void {
    const e = this.e;
    const entity = e.id[s]!;
    const t = e.slot(target);
    if (t === undefined || e.kind[t] === EntityKind.LOOT || e.hp[t]! <= 0 || t === s) {
      return this.emit(s, { entity, kind: "refused", reason: "no such target" });
    }
    if (Math.hypot(e.x[t]! - e.x[s]!, e.y[t]! - e.y[s]!) > MELEE_RANGE * 1.2) {
      return this.emit(s, { entity, kind: "refused", reason: "out of range" });
    }
    if (now < info.nextAttackAt) return this.emit(s, { entity, kind: "refused", reason: "cooldown" });
    info.nextAttackAt = now + PLAYER_ATTACK_EVERY_MS;
    this.hit(s, t, PLAYER_DAMAGE, now);
  }

  private hit(from: number, to: number, damage: number, now: number): void {
    const e = this.e;
    e.hp[to] = Math.max(0, e.hp[to]! - damage);
    const ev: ZoneEvent = { entity: e.id[from]!, kind: "combat", from: e.id[from]!, target: e.id[to]!, amount: damage };
    if (this.players.has(from)) this.emit(from, ev);
    if (this.players.has(to)) this.emit(to, { ...ev, entity: e.id[to]! });
    if (e.hp[to]! > 0) return;
    e.flags[to] = e.flags[to]! | EntityFlag.DEAD;
    const victim = this.players.get(to);
    if (victim) {
      victim.diedAt = now;
      return;
    }
    const t = templateOf(e.template[to]!);
    this.brains.respawnAt[to] = now + t.respawnMs;
    const drop = e.add(this.nextEntity++, EntityKind.LOOT, e.x[to]!, e.y[to]!, 0, 1, 1, t.loot);
    this.loot.set(drop, { owner: this.players.has(from) ? e.id[from]! : 0, item: t.loot, droppedAt: now });
    this.grid.place(e, drop);
  }

  private takeLoot(s: number, info: PlayerInfo, wanted: number, now: number): void {
    const e = this.e;
    const entity = e.id[s]!;
    const t = e.slot(wanted);
    const drop = t === undefined ? undefined : this.loot.get(t);
    if (t === undefined || !drop) return this.emit(s, { entity, kind: "refused", reason: "nothing to loot" });
    if (Math.hypot(e.x[t]! - e.x[s]!, e.y[t]! - e.y[s]!) > LOOT_RANGE) return this.emit(s, { entity, kind: "refused", reason: "too far" });
    if (drop.owner !== 0 && drop.owner !== entity && now - drop.droppedAt < LOOT_OWNER_MS) {
      return this.emit(s, { entity, kind: "refused", reason: "not yours yet" });
    }
    const target = e.id[t]!;
    this.removeLoot(t);
    // the player hears of it once the database has made the item theirs
    this.opts.outputs.looted(info, entity, target, drop.item);
  }

  private removeLoot(t: number): void {
    this.loot.delete(t);
    this.grid.remove(this.e, t);
    this.e.remove(t);
  }

  private say(s: number, info: PlayerInfo, text: string, range: number): void {
    const e = this.e;
    for (const [p] of this.players) {
      if (range !== Infinity && Math.hypot(e.x[p]! - e.x[s]!, e.y[p]! - e.y[s]!) > range) continue;
      this.emit(p, { entity: e.id[p]!, kind: range === Infinity ? "zone-chat" : "say", from: e.id[s]!, fromName: info.name, text });
    }
  }

  private thinkNpcs(now: number, dt: number): void {
    const e = this.e;
    const reach = Math.ceil(this.opts.vision / this.opts.cellSize);
    this.awakeNpcs = 0;
    for (const s of this.brains.slots) {
      if (!e.alive[s] || e.hp[s]! <= 0) continue;
      // NPC AI sleeps where no player can see it
      if (!this.grid.watched(e.cell[s]!, reach)) continue;
      this.awakeNpcs++;
      const hitSlot = thinkNpc(e, this.brains, s, this.tick, now, dt, this.random, (x, y, r) => this.nearestPlayer(x, y, r));
      this.keepInRegion(s);
      if (hitSlot >= 0) this.hit(s, hitSlot, templateOf(e.template[s]!).damage, now);
    }
  }

  private revive(now: number): void {
    const e = this.e;
    for (const s of this.brains.slots) {
      const at = this.brains.respawnAt[s]!;
      if (at === 0 || now < at) continue;
      this.brains.respawnAt[s] = 0;
      e.hp[s] = e.maxHp[s]!;
      e.flags[s] = 0;
      e.x[s] = this.brains.homeX[s]!;
      e.y[s] = this.brains.homeY[s]!;
      e.tx[s] = NaN;
    }
    for (const [s, info] of this.players) {
      if (e.hp[s]! > 0 || now - info.diedAt < PLAYER_REVIVE_MS) continue;
      e.hp[s] = e.maxHp[s]!;
      e.flags[s] = e.flags[s]! & ~EntityFlag.DEAD;
    }
    for (const [t, drop] of this.loot) if (now - drop.droppedAt > LOOT_LIFETIME_MS) this.removeLoot(t);
    this.trades.sweep(now);
  }

  private nearestPlayer(x: number, y: number, radius: number): number {
    let best = -1;
    let bestD = radius;
    const e = this.e;
    const g = this.grid;
    const c0 = Math.floor((x - radius) / g.cellSize);
    const c1 = Math.floor((x + radius) / g.cellSize);
    const r0 = Math.floor((y - radius) / g.cellSize);
    const r1 = Math.floor((y + radius) / g.cellSize);
    for (let cy = r0; cy <= r1; cy++) {
      for (let cx = c0; cx <= c1; cx++) {
        const cell = g.local(cx, cy);
        if (cell < 0 || g.players[cell] === 0) continue;
        for (const p of g.playerMembers[cell]!) {
          if (e.hp[p]! <= 0) continue;
          const d = Math.hypot(e.x[p]! - x, e.y[p]! - y);
          if (d <= bestD) {
            bestD = d;
            best = p;
          }
        }
      }
    }
    return best;
  }

  private keepInRegion(s: number): void {
    const [x0, y0, x1, y1] = this.opts.region;
    const e = this.e;
    e.x[s] = Math.min(x1 - 0.01, Math.max(x0, e.x[s]!));
    e.y[s] = Math.min(y1 - 0.01, Math.max(y0, e.y[s]!));
  }

  private placeAndCross(): void {
    const e = this.e;
    for (let s = 0; s < e.high; s++) {
      if (!e.alive[s]) continue;
      this.grid.place(e, s);
      const info = this.players.get(s);
      if (info && info.leavingTicket === undefined && !this.grid.contains(e.x[s]!, e.y[s]!)) {
        this.opts.outputs.crossing(s, this.stateOf(s, info));
      }
    }
  }

  emit(s: number, ev: ZoneEvent): void {
    const info = this.players.get(s);
    if (!info) return;
    let list = this.outbox.get(info.clientNode);
    if (!list) this.outbox.set(info.clientNode, (list = []));
    list.push(ev);
  }

  private flushEvents(): void {
    for (const [clientNode, events] of this.outbox) {
      if (events.length > 0) this.opts.outputs.events(clientNode, events);
    }
    this.outbox.clear();
  }

  private spawnNpcs(count: number): void {
    const [x0, y0, x1, y1] = this.opts.region;
    for (let i = 0; i < count; i++) {
      const t = NPC_TEMPLATES[i % NPC_TEMPLATES.length]!;
      let x = 0;
      let y = 0;
      for (let tries = 0; tries < 20; tries++) {
        x = x0 + this.random() * (x1 - x0);
        y = y0 + this.random() * (y1 - y0);
        if (!this.opts.terrain.isBlocked(x, y)) break;
      }
      const s = this.brains.spawn(this.e, this.nextEntity++, t, x, y);
      this.grid.place(this.e, s);
    }
  }
}
