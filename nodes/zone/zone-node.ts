// A zone node: the Zone's tick on a fixed-rate loop, its cells on the PUB socket, its inbox
// messages (players entering, intents, truth, displacement) and handoffs to neighbour zones.
import { Quantizer } from "../../common/cell-snapshot.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { RealmSpec, ZoneSpec } from "../../config/model.ts";
import { CellPublisher } from "./cell-publisher.ts";
import { Handoffs } from "./handoff.ts";
import { Terrain } from "./movement.ts";
import { TickLoop } from "./tick-loop.ts";
import { Zone } from "./zone.ts";
import { bindPub, serveWorld, worldVitals } from "./world-service.ts";

export async function startZoneNode(rt: NodeRuntime, spec: ZoneSpec, realm: RealmSpec): Promise<void> {
  const pub = await bindPub(spec.pub);
  const world = [0, 0, realm.world.width, realm.world.height] as const;
  const ordinal = realm.zones.findIndex((z) => z.id === spec.id);
  const peers = realm.zones.filter((z) => z.id !== spec.id);
  const handoffs = new Handoffs(rt, spec.id, realm);
  const zone: Zone = new Zone({
    id: spec.id,
    region: spec.region,
    cellSize: realm.world.cell,
    terrain: new Terrain(world, realm.blocked),
    tickHz: realm.tickHz,
    vision: realm.vision,
    npcs: spec.npcs,
    // NPC and loot ids above 2^24, one block per zone; player ids come from the realm node below it
    entityBase: (ordinal + 1) * 0x100_0000,
    peers: peers.map((z) => z.id),
    outputs: {
      events: (clientNode, events) => rt.wire.send(clientNode, Op.ZONE_EVENTS, { zone: spec.id, tick: zone.tick, events }),
      crossing: (slot, state) => handoffs.offer(zone, slot, state),
      departed: (state, why) => rt.log.info("player-departed", { entity: state.entity, character: state.characterId, why }),
      looted: (player, item) => rt.log.info("player-looted", { character: player.characterId, item }),
    },
  });
  const publisher = new CellPublisher(pub, rt.log);
  publisher.serve(spec.id, zone.grid, new Quantizer(realm.world.width, realm.world.height));
  void publisher.listen();

  rt.on(Op.ZONE_ENTER, ({ corr, player }, from) => {
    const inside = zone.grid.contains(player.x, player.y);
    if (inside) zone.enter(player);
    rt.wire.reply(from, Op.ZONE_ENTERED, inside ? { corr, ok: true, zone: spec.id } : { corr, ok: false, zone: spec.id, code: "wrong-zone" });
  });
  serveWorld(rt, () => zone);
  handoffs.listen(zone);

  const loop = new TickLoop(realm.tickHz, () => {
    const now = Date.now();
    zone.step(now);
    handoffs.forward(zone.strays);
    zone.strays.length = 0;
    publisher.publish(zone.tick, now, zone.e);
  });
  rt.addVitals(() => ({ ...worldVitals(loop, zone, publisher), handoffsOut: handoffs.sent, handoffsIn: handoffs.received }));
  rt.onStop(() => {
    loop.stop();
    for (const [s] of zone.players) {
      const state = zone.remove(s);
      if (state) rt.log.info("player-departed", { entity: state.entity, character: state.characterId, why: "zone stopping" });
    }
    pub.close();
  });
  loop.start();
}
