// Handing a player to the zone that owns where it walked, or into and out of a dungeon. The old
// world offers, the new world accepts (holding nothing yet), the old world lets go and commits, and
// only then does the new world own it: never two owners, and none only for the one message between
// let-go and commit. Intents that reach the wrong world meanwhile are buffered and travel along,
// applied once.
import { randomUUID } from "node:crypto";
import { EntityFlag } from "../../common/cell-snapshot.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { DungeonBack, Intent, PlayerState, ZoneEventOf } from "../../common/protocol/zone.ts";
import type { ZoneSpec } from "../../common/topology.ts";
import type { Zone } from "./zone.ts";

const OFFER_TIMEOUT_MS = 1000;
/** How long an accepted offer waits for its commit before it is forgotten. */
const ARRIVAL_TIMEOUT_MS = 5000;
/** How long intents for a handed-over player are passed on to its new zone. */
const FORWARD_MS = 10_000;

interface Arrival {
  entity: number;
  /** The copy number it leaves from: it goes to the same copy here if there is room. */
  layer: number;
  buffered: Intent[];
  at: number;
  back: DungeonBack | undefined;
}

/** Where a handoff takes a player. */
export interface HandoffTarget {
  node: string;
  /** The copy it goes to there, if there is room. */
  layer: number;
  /** Where it lands (into or out of a dungeon: another map); absent, where it stands. */
  land?: { x: number; y: number };
  /** Into a dungeon: the way back out, which the instance keeps. */
  back?: DungeonBack;
  /** What its client node hears once the new world owns it. */
  redirect: Omit<ZoneEventOf<"redirect">, "entity" | "kind">;
}

/** The world side of the handoffs: who holds what, who may come in, and what to do once one has. */
export interface HandoffWorld {
  /** Why this world takes no such player (a code), or undefined when it does. */
  refuse(player: PlayerState): string | undefined;
  owner(entity: number): Zone | undefined;
  /** The copy an arrival goes to, preferring its copy number; undefined when the world is gone. */
  place(prefer: number): Zone | undefined;
  arrived(zone: Zone, player: PlayerState, back: DungeonBack | undefined): void;
}

export class Handoffs {
  sent = 0;
  received = 0;
  private readonly leaving = new Map<number, { ticket: string; buffered: Intent[] }>();
  private readonly arrivals = new Map<string, Arrival>();
  private readonly forwardTo = new Map<number, { zone: string; until: number }>();

  constructor(
    private readonly rt: NodeRuntime,
    private readonly self: string,
    /** The zones of the realm the node's worlds belong to (an instance: the realm that opened it). */
    private readonly zones: () => readonly ZoneSpec[],
  ) {}

  ownerOf(x: number, y: number): ZoneSpec | undefined {
    return this.zones().find((z) => x >= z.region[0] && x < z.region[2] && y >= z.region[1] && y < z.region[3]);
  }

  /** The player at `slot` of copy `layer` stepped out of the zone's region. */
  offer(zone: Zone, slot: number, state: PlayerState, layer: number): void {
    const target = this.ownerOf(state.x, state.y);
    const info = zone.players.get(slot);
    if (!info) return;
    if (!target || target.id === this.self) {
      this.pushBack(zone, state.entity);
      return;
    }
    void this.handOver(zone, slot, state, { node: target.id, layer, redirect: { zone: target.id } }).then((ok) => ok || this.pushBack(zone, state.entity));
  }

  /** Hands the player at `slot` to `to`; true once the new world owns it, false when it stays here. */
  handOver(zone: Zone, slot: number, state: PlayerState, to: HandoffTarget): Promise<boolean> {
    const info = zone.players.get(slot);
    if (!info || info.leavingTicket !== undefined) return Promise.resolve(false);
    const ticket = randomUUID();
    info.leavingTicket = ticket;
    zone.e.flags[slot] = zone.e.flags[slot]! | EntityFlag.LEAVING;
    this.leaving.set(state.entity, { ticket, buffered: [] });
    const player = to.land ? { ...state, x: to.land.x, y: to.land.y } : state;
    const offer = to.back ? { ticket, player, layer: to.layer, back: to.back } : { ticket, player, layer: to.layer };
    return this.rt.wire.request(to.node, Op.ZONE_HANDOFF_OFFER, offer, OFFER_TIMEOUT_MS).then(
      ({ ok, code }) => (ok ? this.commit(zone, state.entity, to, ticket) : this.cancel(zone, state.entity, `refused by ${to.node}: ${code ?? "no reason"}`)),
      (err: Error) => this.cancel(zone, state.entity, err.message),
    );
  }

  /** Inbox side: offers and commits from the neighbours (and, into or out of a dungeon, from zones or instances). */
  listen(world: HandoffWorld): void {
    this.rt.on(Op.ZONE_HANDOFF_OFFER, ({ corr, ticket, player, layer, back }, from) => {
      const code = world.refuse(player);
      if (code === undefined && !world.owner(player.entity)) {
        this.arrivals.set(ticket, { entity: player.entity, layer, buffered: [], at: Date.now(), back });
      }
      this.rt.wire.reply(from, Op.ZONE_HANDOFF_ACCEPT, code === undefined ? { corr, ticket, ok: true } : { corr, ticket, ok: false, code });
    });
    this.rt.on(Op.ZONE_HANDOFF_COMMIT, ({ ticket, player, intents, back }, from) => {
      const arrival = this.arrivals.get(ticket);
      this.arrivals.delete(ticket);
      // the old world has let go: take the player even if the offer was forgotten, or it is lost
      let zone = world.owner(player.entity);
      if (!zone) {
        zone = world.place(arrival?.layer ?? 0);
        if (!zone) return void this.rt.log.error("handoff-lost", { entity: player.entity, character: player.characterId, from, ticket, why: "no world here to take it" });
        zone.enter(player, true);
      }
      this.forwardTo.delete(player.entity);
      zone.queue(intents, from);
      if (arrival) zone.queue(arrival.buffered, player.clientNode);
      this.received++;
      this.rt.log.debug("handoff-in", { entity: player.entity, from, ticket });
      world.arrived(zone, player, back ?? arrival?.back);
    });
  }

  /** Intents the zone could not apply: pass them along to where the player is, or is going. */
  forward(strays: readonly Intent[]): void {
    const now = Date.now();
    const batches = new Map<string, Intent[]>();
    for (const i of strays) {
      const leaving = this.leaving.get(i.entity);
      if (leaving) {
        leaving.buffered.push(i);
        continue;
      }
      const arrival = this.arrivalOf(i.entity);
      if (arrival) {
        arrival.buffered.push(i);
        continue;
      }
      const to = this.forwardTo.get(i.entity);
      if (to && to.until > now) {
        let batch = batches.get(to.zone);
        if (!batch) batches.set(to.zone, (batch = []));
        batch.push(i);
      }
    }
    for (const [z, intents] of batches) this.rt.wire.send(z, Op.ZONE_INTENTS, { intents });
    for (const [ticket, a] of this.arrivals) if (now - a.at > ARRIVAL_TIMEOUT_MS) this.arrivals.delete(ticket);
    for (const [entity, f] of this.forwardTo) if (f.until <= now) this.forwardTo.delete(entity);
  }

  private arrivalOf(entity: number): Arrival | undefined {
    for (const a of this.arrivals.values()) if (a.entity === entity) return a;
    return undefined;
  }

  private commit(zone: Zone, entity: number, to: HandoffTarget, ticket: string): boolean {
    const leaving = this.leaving.get(entity);
    this.leaving.delete(entity);
    const slot = zone.e.slot(entity);
    const info = slot === undefined ? undefined : zone.players.get(slot);
    if (slot === undefined || !info || info.leavingTicket !== ticket) return false;
    const state = zone.remove(slot)!;
    const player = to.land ? { ...state, x: to.land.x, y: to.land.y } : state;
    const intents = leaving?.buffered ?? [];
    this.forwardTo.set(entity, { zone: to.node, until: Date.now() + FORWARD_MS });
    this.rt.wire.send(to.node, Op.ZONE_HANDOFF_COMMIT, to.back ? { ticket, player, intents, back: to.back } : { ticket, player, intents });
    this.rt.wire.send(info.clientNode, Op.ZONE_EVENTS, { zone: this.self, tick: zone.tick, events: [{ entity, kind: "redirect", ...to.redirect }] });
    this.sent++;
    return true;
  }

  private cancel(zone: Zone, entity: number, why: string): boolean {
    this.leaving.delete(entity);
    const slot = zone.e.slot(entity);
    const info = slot === undefined ? undefined : zone.players.get(slot);
    if (slot === undefined || !info) return false;
    info.leavingTicket = undefined;
    zone.e.flags[slot] = zone.e.flags[slot]! & ~EntityFlag.LEAVING;
    this.rt.log.warn("handoff-cancelled", { entity, why });
    return false;
  }

  /** Nobody can take the player: put it back just inside our border. */
  private pushBack(zone: Zone, entity: number): void {
    const slot = zone.e.slot(entity);
    if (slot === undefined) return;
    const [x0, y0, x1, y1] = zone.grid.region;
    const x = Math.min(x1 - 0.5, Math.max(x0 + 0.5, zone.e.x[slot]!));
    const y = Math.min(y1 - 0.5, Math.max(y0 + 0.5, zone.e.y[slot]!));
    zone.displace(entity, x, y);
  }
}
