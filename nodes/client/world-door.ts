// A player's way into the world and out of it: after CHAR_SELECT the zone's "entered" event
// (which may overtake the realm node's answer), a resume's reattach to the zone or instance
// holding the character, handoffs between zones, into and out of dungeons, CMSG_LEAVE, a dropped
// connection (the character waits for a resume) and the characters of a dead client node that
// nobody resumed.
import { DUNGEON_MAPS, type DungeonKind } from "../../common/dungeons.ts";
import { nodeOfWorld, worldId } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { encodeServer } from "../../common/player-codec.ts";
import { CloseCode, PlayerOp } from "../../common/player-opcodes.ts";
import type { ZoneEventOf } from "../../common/protocol/zone.ts";
import { reportMoved } from "./directory-report.ts";
import type { Player } from "./player.ts";
import type { RealmHub } from "./realm-hub.ts";
import type { Grant } from "./resume-book.ts";
import type { Sessions } from "./sessions.ts";
import { flushEvents } from "./zone-events.ts";

/** How long a selected character may take to appear in its zone. */
const ENTER_TIMEOUT_MS = 5000;
/** How long a zone has to answer a reattach; without an answer the player resumes on its last known place. */
const REATTACH_TIMEOUT_MS = 500;
const LEAVE_TIMEOUT_MS = 3000;
/** An "entered" event may overtake the realm node's select answer: kept this long for it. */
const EARLY_ENTERED_MS = 5000;

export interface Reattached {
  zone: string;
  x: number;
  y: number;
  seq: number | undefined;
}

export class WorldDoor {
  private readonly waitingEnter = new Map<number, { p: Player; timer: NodeJS.Timeout }>();
  private readonly earlyEntered = new Map<number, { ev: ZoneEventOf<"entered">; zone: string; at: number }>();

  constructor(
    private readonly rt: NodeRuntime,
    private readonly sessions: Sessions,
  ) {}

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
      this.entered(this.sessions.hubOf(p), early.ev, early.zone);
    }
  }

  entered(hub: RealmHub, ev: ZoneEventOf<"entered">, zone: string): void {
    const waiting = this.waitingEnter.get(ev.entity);
    if (!waiting) {
      const p = hub.byEntity.get(ev.entity);
      // the realm node put the character of a crashed instance back in the realm's world, from its checkpoint
      if (p?.dungeon && hub.isRealmWorld(zone)) return this.changedWorld(p, hub, zone, ev.x, ev.y, undefined);
      // an instance that took a character in for a player already in the world: its redirect follows
      if (p && !hub.isRealmWorld(zone)) return;
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

  /** Forgets "entered" events that no select answer came for. */
  sweep(now: number): void {
    for (const [entity, e] of this.earlyEntered) if (now - e.at > EARLY_ENTERED_MS) this.earlyEntered.delete(entity);
  }

  /**
   * The character is in a zone (`zone`: its world id, layer included) or, resumed, in a dungeon
   * (`zone` the instance, `dungeon` its kind), and the player sees the world from the next tick on.
   */
  enterWorld(p: Player, hub: RealmHub, zone: string, x: number, y: number, resumed: boolean, dungeon?: DungeonKind): void {
    hub.place(p, zone, x, y, dungeon);
    p.phase = "world";
    p.epoch = Date.now();
    hub.add(p);
    const kind = p.dungeon?.kind;
    const { token, hash } = this.sessions.book.issue({ accountId: p.accountId, realm: p.realm, entity: p.entity, characterId: p.characterId, name: p.name, zone, x, y, ...(kind && { dungeon: kind }) });
    p.token = hash;
    this.sessions.byToken.set(hash, p);
    const q = hub.quantizerOf(p);
    p.send(encodeServer({ op: PlayerOp.SMSG_ENTERED, entity: p.entity, zone: p.zone, qx: q.qx(x), qy: q.qy(y), resumed, token, epoch: p.epoch }));
    // SMSG_WELCOME described the realm's world: a player resumed inside a dungeon learns its world at once
    if (p.dungeon) hub.tellWorld(p);
    if (resumed) reportMoved(this.rt.wire, this.sessions, p);
    this.rt.log.info(resumed ? "player-resumed" : "player-entered", { conn: p.conn, accountId: p.accountId, entity: p.entity, zone });
  }

  /** Asks the zones which one holds the entity and makes this node its voice there. */
  async reattach(realm: string, entity: number, hint: string): Promise<Reattached | undefined> {
    const hub = this.sessions.hubs.get(realm);
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

  /**
   * A handoff: `zone` names the new zone node; the layer is kept if it had room (the next event
   * from there tells). Into a dungeon (`dungeon` set) or out of one, the player follows to that world.
   */
  redirected(p: Player, ev: ZoneEventOf<"redirect">): void {
    const hub = this.sessions.hubOf(p);
    const { zone } = ev;
    if (ev.dungeon !== undefined || p.dungeon) {
      // a redirect without the landing point (the server names it): the dungeon's own, or where this connection went in
      const [x, y] = ev.dungeon ? DUNGEON_MAPS[ev.dungeon].entrance : p.outsideAt;
      return this.changedWorld(p, hub, zone, ev.x ?? x, ev.y ?? y, ev.dungeon);
    }
    p.zone = hub.mirror.zoneOf(nodeOfWorld(zone)) ?? p.zone;
    hub.probeLayers(p);
    this.sessions.book.update(p.token, { zone: worldId(hub.realm.zones[p.zone]!.id, p.copy) });
  }

  /** Into a dungeon or back to the realm's world: the view follows, and the resume book says where to ask. */
  private changedWorld(p: Player, hub: RealmHub, world: string, x: number, y: number, dungeon: DungeonKind | undefined): void {
    const kind = hub.isRealmWorld(world) ? undefined : dungeon;
    this.sessions.book.update(p.token, { zone: world, x, y, dungeon: kind });
    // a dropped player's view is built again when it resumes
    if (!p.inWorld) return;
    const from = hub.worldOf(p);
    hub.moveToWorld(p, world, x, y, kind);
    this.rt.log.info(kind ? "player-into-dungeon" : "player-out-of-dungeon", { conn: p.conn, entity: p.entity, from, to: world, dungeon: kind });
  }

  /** CMSG_LEAVE: the character leaves the world; the zone's "left" event ends the connection. */
  leave(p: Player): void {
    const hub = this.sessions.hubOf(p);
    hub.intent(p, { kind: "leave" });
    p.phase = "leaving";
    const since = Date.now();
    // done when the zone says "left", or when the character is gone from its cell (zones that
    // do not send "left"), or after a deadline
    const poll = setInterval(() => {
      if (p.phase !== "leaving") return clearInterval(poll);
      if (!hub.viewOf(p).mirror.e.byId.has(p.entity) || Date.now() - since > LEAVE_TIMEOUT_MS) {
        clearInterval(poll);
        this.finishLeave(p);
      }
    }, hub.mirror.intervalMs);
    poll.unref();
  }

  finishLeave(p: Player): void {
    const hub = this.sessions.hubOf(p);
    flushEvents(p);
    p.phase = "gone";
    hub.remove(p, true);
    this.sessions.forgetToken(p, "left");
    this.sessions.desk.left(hub.realm, p.accountId);
    p.close(CloseCode.NORMAL, "left the game");
  }

  /** The socket closed. In the world that is a drop: the character waits a grace period for a resume. */
  disconnected(p: Player): void {
    const { sessions } = this;
    sessions.count.left();
    if (sessions.byAccount.get(p.accountId) === p) sessions.byAccount.delete(p.accountId);
    const realm = sessions.hubs.get(p.realm)?.realm;
    switch (p.phase) {
      case "lobby":
      case "entering":
        if (realm) sessions.desk.left(realm, p.accountId);
        p.phase = "gone";
        break;
      case "leaving":
        this.finishLeave(p);
        break;
      case "world": {
        p.phase = "dropped";
        p.droppedAt = Date.now();
        sessions.hubOf(p).remove(p, false);
        sessions.book.update(p.token, { droppedAt: p.droppedAt });
        this.rt.log.info("player-dropped", { conn: p.conn, accountId: p.accountId, entity: p.entity });
        break;
      }
      default:
        break;
    }
  }

  /** A dead node's player never came back: this node takes the character out of the world for it. */
  async orphaned(g: Grant): Promise<void> {
    const hub = this.sessions.hubs.get(g.realm);
    const at = await this.reattach(g.realm, g.entity, g.zone);
    if (!hub || !at) {
      this.rt.log.warn("orphan-left-in-zone", { entity: g.entity, zone: g.zone, why: "no zone answered the reattach" });
      return;
    }
    this.rt.wire.send(at.zone, Op.ZONE_INTENTS, { intents: [{ entity: g.entity, seq: (at.seq ?? -1) + 1, kind: "leave" }] });
    this.rt.log.info("orphan-removed", { entity: g.entity, zone: at.zone });
  }
}
