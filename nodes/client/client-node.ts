// A client node: the players' WebSocket endpoint, one RealmHub per realm (cells in, one frame
// per player per tick out), the realm desk for sessions and characters, and the resume book
// that lets a dropped player come back here or through any other client node.
import { copyOf, nodeOfWorld, worldId } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { CloseCode, PlayerOp } from "../../common/player-opcodes.ts";
import { encodeServer } from "../../common/player-codec.ts";
import type { ZoneEventOf } from "../../common/protocol/zone.ts";
import type { ClientNodeSpec, RealmsConfig } from "../../config/model.ts";
import { reportMoved, serveDirectoryRequests } from "./directory-report.ts";
import type { PeerLoad, PlayerCount } from "./load-report.ts";
import { PlayerEndpoint } from "./player-endpoint.ts";
import type { Player } from "./player.ts";
import { RealmDesk } from "./realm-desk.ts";
import { serveRealmNotices } from "./realm-notices.ts";
import { RealmHub } from "./realm-hub.ts";
import { ResumeBook, type Grant } from "./resume-book.ts";
import { flushEvents, relayZoneEvents } from "./zone-events.ts";

/** How long a selected character may take to appear in its zone. */
export const ENTER_TIMEOUT_MS = 5000;
/** How long a zone has to answer a reattach; without an answer the player resumes on its last known place. */
export const REATTACH_TIMEOUT_MS = 500;
const LEAVE_TIMEOUT_MS = 3000;
/** An "entered" event may overtake the realm node's select answer: kept this long for it. */
const EARLY_ENTERED_MS = 5000;

export interface Reattached {
  zone: string;
  x: number;
  y: number;
  seq: number | undefined;
}

export class ClientNode {
  readonly hubs = new Map<string, RealmHub>();
  readonly hubOfZone = new Map<string, RealmHub>();
  readonly byAccount = new Map<string, Player>();
  readonly byToken = new Map<string, Player>();
  readonly desk: RealmDesk;
  readonly book: ResumeBook;
  readonly endpoint: PlayerEndpoint;
  private readonly waitingEnter = new Map<number, { p: Player; timer: NodeJS.Timeout }>();
  private readonly earlyEntered = new Map<number, { ev: ZoneEventOf<"entered">; zone: string; at: number }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  resumes = 0;
  kicks = 0;

  constructor(
    readonly rt: NodeRuntime,
    readonly spec: ClientNodeSpec,
    readonly config: RealmsConfig,
    peerLoads: Map<string, PeerLoad>,
    readonly count: PlayerCount,
  ) {
    this.desk = new RealmDesk(rt, config);
    for (const realm of config.realms) {
      const hub = new RealmHub(realm, rt.log, (zone, intents) => rt.wire.send(zone, Op.ZONE_INTENTS, { intents }), rt.mesh);
      this.hubs.set(realm.name, hub);
      for (const z of realm.zones) this.hubOfZone.set(z.id, hub);
    }
    this.book = new ResumeBook(rt, config, peerLoads, {
      takenElsewhere: (token, by) => this.takenElsewhere(token, by),
      expired: (g) => this.expired(g),
      orphaned: (g) => void this.orphaned(g),
    });
    this.endpoint = new PlayerEndpoint(this);
  }

  async start(): Promise<void> {
    const { rt } = this;
    rt.on(Op.ZONE_EVENTS, ({ zone, events }) => {
      const hub = this.hubOfZone.get(nodeOfWorld(zone));
      if (!hub) return void rt.log.warn("events-from-unknown-world", { world: zone, events: events.length });
      relayZoneEvents(hub, zone, events, {
        entered: (h, ev, z) => this.entered(h, ev, z),
        redirected: (p, z) => this.redirected(p, z),
        left: (p) => this.finishLeave(p),
      });
    });
    rt.on(Op.SESSION_KICK, ({ accountId, reason, at }, from) => this.kick(accountId, reason, from, at));
    serveDirectoryRequests(this);
    serveRealmNotices(this);
    for (const hub of this.hubs.values()) hub.start();
    await this.endpoint.listen(this.spec.ws, this.spec.tls);
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    // players keep their tokens: they come back through another client node (or this one, restarted)
    await this.endpoint.close(CloseCode.GOING_AWAY, "the client node is stopping; reconnect with your token");
    for (const hub of this.hubs.values()) await hub.stop();
  }

  /** The session (or token) checked out: the connection belongs to this account now. */
  attach(p: Player, accountId: string, realm: string): void {
    const before = this.byAccount.get(accountId);
    if (before && before !== p) {
      before.phase = "gone";
      before.close(CloseCode.KICKED, "the account attached again on another connection");
    }
    p.accountId = accountId;
    p.realm = realm;
    p.attachedAt = Date.now();
    this.byAccount.set(accountId, p);
  }

  hubOf(p: Player): RealmHub {
    const hub = this.hubs.get(p.realm);
    if (!hub) throw new Error(`no realm ${p.realm} in ${this.config.file}`);
    return hub;
  }

  /** After CHAR_SELECT: wait for the zone's "entered" event for this entity. */
  awaitEnter(p: Player, entity: number, onTimeout: () => void): void {
    p.entity = entity;
    p.phase = "entering";
    const timer = setTimeout(() => {
      this.waitingEnter.delete(entity);
      if (p.phase === "entering") onTimeout();
    }, ENTER_TIMEOUT_MS);
    this.waitingEnter.set(entity, { p, timer });
    // the zone's "entered" overtook the realm node's answer: the player is waiting now, so it lands
    const early = this.earlyEntered.get(entity);
    if (early) {
      this.earlyEntered.delete(entity);
      this.entered(this.hubOf(p), early.ev, early.zone);
    }
  }

  private entered(hub: RealmHub, ev: ZoneEventOf<"entered">, zone: string): void {
    const waiting = this.waitingEnter.get(ev.entity);
    if (!waiting) {
      this.earlyEntered.set(ev.entity, { ev, zone, at: Date.now() });
      return;
    }
    this.waitingEnter.delete(ev.entity);
    clearTimeout(waiting.timer);
    const p = waiting.p;
    if (p.phase !== "entering") {
      // the player hung up while its character was on the way in: take the character out again
      p.zone = hub.mirror.zoneOf(nodeOfWorld(zone)) ?? 0;
      hub.intent(p, { kind: "leave" });
      return;
    }
    this.enterWorld(p, hub, zone, ev.x, ev.y, false);
  }

  /** The character is in a zone (`zone`: its world id, layer included) and the player sees the world from the next tick on. */
  enterWorld(p: Player, hub: RealmHub, zone: string, x: number, y: number, resumed: boolean): void {
    p.zone = hub.mirror.zoneOf(nodeOfWorld(zone)) ?? 0;
    p.copy = copyOf(zone);
    p.hintX = x;
    p.hintY = y;
    p.phase = "world";
    p.epoch = Date.now();
    p.guard.placeAt(x, y, Date.now());
    hub.add(p);
    const { token, hash } = this.book.issue({ accountId: p.accountId, realm: p.realm, entity: p.entity, characterId: p.characterId, name: p.name, zone, x, y });
    p.token = hash;
    this.byToken.set(hash, p);
    p.send(encodeServer({ op: PlayerOp.SMSG_ENTERED, entity: p.entity, zone: p.zone, qx: hub.q.qx(x), qy: hub.q.qy(y), resumed, token, epoch: p.epoch }));
    if (resumed) reportMoved(this, p);
    this.rt.log.info(resumed ? "player-resumed" : "player-entered", { conn: p.conn, accountId: p.accountId, entity: p.entity, zone });
  }

  /** Asks the zones which one holds the entity and makes this node its voice there. */
  async reattach(realm: string, entity: number, hint: string): Promise<Reattached | undefined> {
    const hub = this.hubs.get(realm);
    if (!hub) return undefined;
    const ask = async (zone: string): Promise<Reattached | undefined> => {
      const b = await this.rt.wire.request(zone, Op.ZONE_REATTACH, { entity, clientNode: this.rt.id }, REATTACH_TIMEOUT_MS);
      return b.ok && b.x !== undefined && b.y !== undefined ? { zone: b.zone, x: b.x, y: b.y, seq: b.seq } : undefined;
    };
    const first = await ask(nodeOfWorld(hint)).catch(() => undefined);
    if (first) return first;
    // handed over since the hint was written: whichever zone holds it answers yes
    const others = hub.realm.zones.filter((z) => z.id !== nodeOfWorld(hint)).map((z) => ask(z.id).catch(() => undefined));
    for (const r of await Promise.all(others)) if (r) return r;
    return undefined;
  }

  /** A handoff: `zone` names the new zone node; the layer is kept if it had room (the next event from there tells). */
  private redirected(p: Player, zone: string): void {
    const hub = this.hubOf(p);
    p.zone = hub.mirror.zoneOf(nodeOfWorld(zone)) ?? p.zone;
    hub.probeLayers(p);
    this.book.update(p.token, { zone: worldId(hub.realm.zones[p.zone]!.id, p.copy) });
  }

  /** CMSG_LEAVE: the character leaves the world; the zone's "left" event ends the connection. */
  leave(p: Player): void {
    const hub = this.hubOf(p);
    hub.intent(p, { kind: "leave" });
    p.phase = "leaving";
    const since = Date.now();
    // done when the zone says "left", or when the character is gone from its cell (zones that
    // do not send "left"), or after a deadline
    const poll = setInterval(() => {
      if (p.phase !== "leaving") return clearInterval(poll);
      if (!hub.layer(p.copy).mirror.e.byId.has(p.entity) || Date.now() - since > LEAVE_TIMEOUT_MS) {
        clearInterval(poll);
        this.finishLeave(p);
      }
    }, hub.mirror.intervalMs);
    poll.unref();
  }

  private finishLeave(p: Player): void {
    const hub = this.hubOf(p);
    flushEvents(p);
    p.phase = "gone";
    hub.remove(p, true);
    this.forgetToken(p, "left");
    this.desk.left(hub.realm, p.accountId);
    p.close(CloseCode.NORMAL, "left the game");
  }

  /** The socket closed. In the world that is a drop: the character waits a grace period for a resume. */
  disconnected(p: Player): void {
    this.count.left();
    if (this.byAccount.get(p.accountId) === p) this.byAccount.delete(p.accountId);
    const realm = this.hubs.get(p.realm)?.realm;
    switch (p.phase) {
      case "lobby":
      case "entering":
        if (realm) this.desk.left(realm, p.accountId);
        p.phase = "gone";
        break;
      case "leaving":
        this.finishLeave(p);
        break;
      case "world": {
        p.phase = "dropped";
        p.droppedAt = Date.now();
        this.hubOf(p).remove(p, false);
        this.book.update(p.token, { droppedAt: p.droppedAt });
        this.rt.log.info("player-dropped", { conn: p.conn, accountId: p.accountId, entity: p.entity });
        break;
      }
      default:
        break;
    }
  }

  /** Another node took this node's token: the old connection (if still open) makes way. */
  private takenElsewhere(token: string, by: string): void {
    const p = this.byToken.get(token);
    if (!p) return;
    this.byToken.delete(token);
    const hub = this.hubOf(p);
    hub.remove(p, true);
    const wasOpen = p.phase !== "dropped";
    p.phase = "gone";
    if (wasOpen) p.close(CloseCode.RESUMED_ELSEWHERE, `the player resumed through ${by}`);
  }

  /** Resume of a token this node issued: the old player object hands over its intent sequence. */
  takeOver(hash: string): Player | undefined {
    const old = this.byToken.get(hash);
    if (!old) return undefined;
    this.byToken.delete(hash);
    this.hubOf(old).remove(old, true);
    const wasOpen = old.phase !== "dropped";
    old.phase = "gone";
    if (wasOpen) old.close(CloseCode.RESUMED_ELSEWHERE, "the player resumed on another connection");
    return old;
  }

  /** A dropped player of this node never came back: its character leaves the world. */
  private expired(g: Grant): void {
    const p = this.byToken.get(g.token);
    this.book.spend(g.token, "expired");
    if (!p) return;
    this.byToken.delete(g.token);
    const hub = this.hubOf(p);
    hub.intent(p, { kind: "leave" });
    hub.byEntity.delete(p.entity);
    this.desk.left(hub.realm, p.accountId);
    p.phase = "gone";
    this.rt.log.info("player-expired", { accountId: p.accountId, entity: p.entity, graceMs: hub.realm.reconnectGraceMs });
  }

  /** A dead node's player never came back: this node takes the character out of the world for it. */
  private async orphaned(g: Grant): Promise<void> {
    const hub = this.hubs.get(g.realm);
    const at = await this.reattach(g.realm, g.entity, g.zone);
    if (!hub || !at) {
      this.rt.log.warn("orphan-left-in-zone", { entity: g.entity, zone: g.zone, why: "no zone answered the reattach" });
      return;
    }
    this.rt.wire.send(at.zone, Op.ZONE_INTENTS, { intents: [{ entity: g.entity, seq: (at.seq ?? -1) + 1, kind: "leave" }] });
    this.rt.log.info("orphan-removed", { entity: g.entity, zone: at.zone });
  }

  private forgetToken(p: Player, why: "left" | "expired"): void {
    if (!p.token) return;
    this.byToken.delete(p.token);
    this.book.spend(p.token, why);
  }

  private kick(accountId: string, reason: string, from: string, at: number | undefined): void {
    const p = this.byAccount.get(accountId);
    // ZeroMQ delivers what was queued for a node while it was down once it is back: a kick older
    // than this connection was meant for one that died with the node
    if (p && at !== undefined && at < p.attachedAt) {
      this.rt.log.info("session-kick-stale", { accountId, reason, from, sentAt: at, attachedAt: p.attachedAt });
      return;
    }
    this.rt.log.info("session-kicked", { accountId, reason, from, connected: p !== undefined });
    if (p) this.evict(p, CloseCode.KICKED, reason);
  }

  /**
   * Ends a player's session for cause (a kick from the realm, flooding, garbage): no token comes
   * back from this, so the character leaves the world instead of waiting for a resume.
   */
  evict(p: Player, code: number, why: string): void {
    this.kicks++;
    if (p.inWorld) {
      const hub = this.hubOf(p);
      hub.intent(p, { kind: "leave" });
      hub.remove(p, true);
      this.forgetToken(p, "left");
      this.desk.left(hub.realm, p.accountId);
      p.phase = "gone";
    }
    p.close(code, why);
  }

  private sweep(): void {
    const now = Date.now();
    this.book.sweep(now);
    for (const [entity, e] of this.earlyEntered) if (now - e.at > EARLY_ENTERED_MS) this.earlyEntered.delete(entity);
    // peers learn where each player is, roughly, so a resume elsewhere can start there
    for (const hub of this.hubs.values()) {
      for (const p of hub.players) {
        const g = this.book.own(p.token);
        if (!g) continue;
        const [x, y] = hub.positionOf(p);
        if (Math.hypot(x - g.x, y - g.y) > hub.realm.world.cell) this.book.update(p.token, { x, y });
      }
    }
  }
}
