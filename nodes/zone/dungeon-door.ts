// A zone's side of a dungeon entrance: the realm node asks it to move a party standing at an
// entrance into an instance. The zone owns positions, so it judges who stands within the radius,
// and hands each of those to the instance with the same one-owner handoff as between zones,
// landing at the dungeon's entrance and keeping the way back out.
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { Handoffs } from "./handoff.ts";
import type { Zone } from "./zone.ts";

/** Handoffs to an instance settle within the offer timeout; the realm waits a little longer. */
export const TRANSFER_TIMEOUT_MS = 3000;

type Transfer = Body<typeof Op.ZONE_TRANSFER>;

/**
 * The players among `entities` this node holds, alive, not already leaving, within `radius` of
 * (x, y); and `away`, those it does not hold or is handing to another world: the realm asks again
 * where its directory sees them arrive (a party member crossing a border at the entrance).
 */
function standingAt(owner: (entity: number) => Zone | undefined, { entities, x, y, radius }: Transfer): { near: { zone: Zone; slot: number; entity: number }[]; away: number[] } {
  const near = [];
  const away = [];
  for (const entity of new Set(entities)) {
    const zone = owner(entity);
    const slot = zone?.e.slot(entity);
    const info = slot === undefined ? undefined : zone!.players.get(slot);
    if (!zone || slot === undefined || !info || info.leavingTicket !== undefined) away.push(entity);
    else if (zone.e.hp[slot]! > 0 && Math.hypot(zone.e.x[slot]! - x, zone.e.y[slot]! - y) <= radius) near.push({ zone, slot, entity });
  }
  return { near, away };
}

export function serveDungeonDoor(rt: NodeRuntime, self: string, realmNode: string, handoffs: Handoffs, owner: (entity: number) => Zone | undefined): void {
  rt.on(Op.ZONE_TRANSFER, (b, from) => {
    const reply = (near: number[], away: number[]): void =>
      rt.wire.reply(from, Op.ZONE_TRANSFER_REPLY, near.length > 0 ? { corr: b.corr, ok: true, near, away } : { corr: b.corr, ok: false, near, away, code: "too-far" });
    // only the realm's own node moves its players
    if (from !== realmNode) {
      rt.log.warn("transfer-refused", { from, why: "not the realm node" });
      return rt.wire.reply(from, Op.ZONE_TRANSFER_REPLY, { corr: b.corr, ok: false, near: [], code: "not-realm" });
    }
    const { near, away } = standingAt(owner, b);
    const to = b.to;
    if (!to || near.length === 0) return reply(near.map((n) => n.entity), away);
    // the way back is the zone owning the entrance point (a party member may stand across a border from it)
    const back = { zone: handoffs.ownerOf(b.x, b.y)?.id ?? self, x: b.x, y: b.y };
    const land = { x: to.landX, y: to.landY };
    const redirect = { zone: to.world, dungeon: to.dungeon, x: to.landX, y: to.landY };
    void Promise.all(
      near.map(({ zone, slot, entity }) =>
        handoffs.handOver(zone, slot, zone.stateOf(slot), { node: to.node, layer: 0, land, back, redirect }).then((ok) => (ok ? entity : undefined)),
      ),
    ).then((moved) => {
      const entered = moved.filter((e): e is number => e !== undefined);
      rt.log.info("dungeon-transfer", { instance: to.world, dungeon: to.dungeon, entities: entered, refused: near.length - entered.length });
      reply(entered, away);
    });
  });
}
