// A zone node: the Zone's tick on a fixed-rate loop, its cells on the PUB socket, its inbox
// messages (players entering, intents, truth, displacement) and handoffs to neighbour zones.
import * as zmq from "zeromq";
import { Quantizer } from "../../common/cell-snapshot.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { RealmSpec, ZoneSpec } from "../../config/model.ts";
import { CellPublisher } from "./cell-publisher.ts";
import { Handoffs } from "./handoff.ts";
import { Terrain } from "./movement.ts";
import { TickLoop } from "./tick-loop.ts";
import { Zone } from "./zone.ts";

export interface ZoneNodeOptions {
  npcs?: number;
}

export async function startZoneNode(rt: NodeRuntime, spec: ZoneSpec, realm: RealmSpec, opts: ZoneNodeOptions = {}): Promise<void> {
  const pub = new zmq.XPublisher({ linger: 0, sendHighWaterMark: 20_000 });
  try {
    await pub.bind(spec.pub);
  } catch (err) {
    pub.close();
    throw new Error(`cannot bind pub ${spec.pub}: ${(err as Error).message}`);
  }
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
    npcs: opts.npcs ?? spec.npcs,
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
  const publisher = new CellPublisher(spec.id, zone.grid, new Quantizer(realm.world.width, realm.world.height), pub, rt.log);
  void publisher.listen();

  rt.on(Op.ZONE_ENTER, ({ corr, player }, from) => {
    const inside = zone.grid.contains(player.x, player.y);
    if (inside) zone.enter(player);
    rt.wire.reply(from, Op.ZONE_ENTERED, inside ? { corr, ok: true, zone: spec.id } : { corr, ok: false, zone: spec.id, code: "wrong-zone" });
  });
  rt.on(Op.ZONE_INTENTS, ({ intents }, from) => zone.queue(intents, from));
  rt.on(Op.ZONE_DISPLACE, ({ entity, x, y, reason }, from) => {
    if (!zone.displace(entity, x, y)) rt.log.warn("displace-refused", { entity, from, reason });
  });
  rt.on(Op.ZONE_TRUTH_REQUEST, ({ corr }, from) => {
    const e = zone.e;
    const entities = [];
    for (let s = 0; s < e.high; s++) if (e.alive[s]) entities.push({ entity: e.id[s]!, kind: e.kind[s]!, x: e.x[s]!, y: e.y[s]! });
    rt.wire.reply(from, Op.ZONE_TRUTH_REPLY, { corr, zone: spec.id, tick: zone.tick, serverTime: Date.now(), entities });
  });
  handoffs.listen(zone);

  const loop = new TickLoop(realm.tickHz, () => {
    const now = Date.now();
    zone.step(now);
    handoffs.forward(zone.strays);
    zone.strays.length = 0;
    publisher.publish(zone.tick, now, zone.e);
  });
  rt.addVitals(() => {
    const s = loop.stats();
    return {
      players: zone.playerCount,
      entities: zone.e.count,
      awakeNpcs: zone.awakeNpcs,
      ticks: s.ticks,
      ticksSkipped: s.skipped,
      tickP50Ms: s.p50Ms,
      tickP99Ms: s.p99Ms,
      tickMaxMs: s.maxMs,
      publishBytesPerTick: publisher.bytesLastTick,
      publishedCells: publisher.cellsLastTick,
      subscribedCells: publisher.subscribedCells,
      handoffsOut: handoffs.sent,
      handoffsIn: handoffs.received,
    };
  });
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
