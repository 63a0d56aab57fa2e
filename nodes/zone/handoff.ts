// Handing a player to the zone that owns where it walked. The old zone offers, the new zone
// accepts (holding nothing yet), the old zone lets go and commits, and only then does the new zone
// own it: never two owners, and none only for the one message between let-go and commit.
// Intents that reach the wrong zone meanwhile are buffered and travel along, applied once.
import { randomUUID } from "node:crypto";
import { EntityFlag } from "../../common/cell-snapshot.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { Intent, PlayerState } from "../../common/protocol/zone.ts";
import type { RealmSpec, ZoneSpec } from "../../common/topology.ts";
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
    private readonly realm: RealmSpec,
  ) {}

  ownerOf(x: number, y: number): ZoneSpec | undefined {
    return this.realm.zones.find((z) => x >= z.region[0] && x < z.region[2] && y >= z.region[1] && y < z.region[3]);
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
    const ticket = randomUUID();
    info.leavingTicket = ticket;
    zone.e.flags[slot] = zone.e.flags[slot]! | EntityFlag.LEAVING;
    this.leaving.set(state.entity, { ticket, buffered: [] });
    this.rt.wire
      .request(target.id, Op.ZONE_HANDOFF_OFFER, { ticket, player: state, layer }, OFFER_TIMEOUT_MS)
      .then(({ ok }) => {
        if (ok) this.commit(zone, state.entity, target.id, ticket);
        else this.cancel(zone, state.entity, `refused by ${target.id}`);
      })
      .catch((err: Error) => this.cancel(zone, state.entity, err.message));
  }

  /**
   * Inbox side: offers and commits from the neighbours. `owner` names the copy of this zone that
   * holds an entity; `place` picks the copy an arrival goes to, preferring its copy number.
   */
  listen(world: { region: Zone["grid"]; owner(entity: number): Zone | undefined; place(prefer: number): Zone }): void {
    this.rt.on(Op.ZONE_HANDOFF_OFFER, ({ corr, ticket, player, layer }, from) => {
      const inside = world.region.contains(player.x, player.y);
      if (inside && !world.owner(player.entity)) {
        this.arrivals.set(ticket, { entity: player.entity, layer, buffered: [], at: Date.now() });
      }
      this.rt.wire.reply(from, Op.ZONE_HANDOFF_ACCEPT, inside ? { corr, ticket, ok: true } : { corr, ticket, ok: false, code: "wrong-zone" });
    });
    this.rt.on(Op.ZONE_HANDOFF_COMMIT, ({ ticket, player, intents }, from) => {
      const arrival = this.arrivals.get(ticket);
      this.arrivals.delete(ticket);
      // the old zone has let go: take the player even if the offer was forgotten, or it is lost
      let zone = world.owner(player.entity);
      if (!zone) {
        zone = world.place(arrival?.layer ?? 0);
        zone.enter(player, true);
      }
      this.forwardTo.delete(player.entity);
      zone.queue(intents, from);
      if (arrival) zone.queue(arrival.buffered, player.clientNode);
      this.received++;
      this.rt.log.debug("handoff-in", { entity: player.entity, from, ticket });
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

  private commit(zone: Zone, entity: number, target: string, ticket: string): void {
    const leaving = this.leaving.get(entity);
    this.leaving.delete(entity);
    const slot = zone.e.slot(entity);
    const info = slot === undefined ? undefined : zone.players.get(slot);
    if (slot === undefined || !info || info.leavingTicket !== ticket) return;
    const state = zone.remove(slot)!;
    this.forwardTo.set(entity, { zone: target, until: Date.now() + FORWARD_MS });
    this.rt.wire.send(target, Op.ZONE_HANDOFF_COMMIT, { ticket, player: state, intents: leaving?.buffered ?? [] });
    this.rt.wire.send(info.clientNode, Op.ZONE_EVENTS, { zone: this.self, tick: zone.tick, events: [{ entity, kind: "redirect", zone: target }] });
    this.sent++;
  }

  private cancel(zone: Zone, entity: number, why: string): void {
    this.leaving.delete(entity);
    const slot = zone.e.slot(entity);
    const info = slot === undefined ? undefined : zone.players.get(slot);
    if (slot === undefined || !info) return;
    info.leavingTicket = undefined;
    zone.e.flags[slot] = zone.e.flags[slot]! & ~EntityFlag.LEAVING;
    this.rt.log.warn("handoff-cancelled", { entity, why });
    this.pushBack(zone, entity);
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
