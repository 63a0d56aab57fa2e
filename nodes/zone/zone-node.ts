// A zone node: its copies of the zone (layers) on one fixed-rate loop, their cells on the PUB
// socket, its inbox messages (players entering, intents, truth, displacement) and handoffs.
import { Quantizer } from "../../common/cell-snapshot.ts";
import { worldId } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { Intent } from "../../common/protocol/zone.ts";
import type { RealmSpec, ZoneSpec } from "../../common/topology.ts";
import { DatabaseClient } from "../../common/db-client.ts";
import { CellPublisher } from "./cell-publisher.ts";
import { Checkpoints } from "./checkpoints.ts";
import { Economy } from "./economy.ts";
import { Handoffs } from "./handoff.ts";
import { Layers } from "./layers.ts";
import { Terrain } from "./movement.ts";
import { TickLoop } from "./tick-loop.ts";
import { bindPub, deliverEvent, servePlayerList, serveWorld, tellArrival, tickHistogram, worldVitals } from "./world-service.ts";
import { serveDungeonDoor } from "./dungeon-door.ts";
import { Zone } from "./zone.ts";

/** Each zone numbers its NPCs and loot in its own block of ids above the players'; each copy in a slice of it. */
const ZONE_IDS = 0x100_0000;
const COPY_IDS = 0x10_0000;

export async function startZoneNode(rt: NodeRuntime, spec: ZoneSpec, realm: RealmSpec): Promise<void> {
  const publisher = new CellPublisher(await bindPub(spec.pub, rt), rt.log);
  const world = [0, 0, realm.world.width, realm.world.height] as const;
  const ordinal = realm.zones.findIndex((z) => z.id === spec.id);
  // the other zones, and the instances players come back out of, may pass on a player's intents
  const peers = [...realm.zones.filter((z) => z.id !== spec.id).map((z) => z.id), ...rt.opts.config.instances.pool.map((i) => i.id)];
  const q = new Quantizer(realm.world.width, realm.world.height);
  const handoffs = new Handoffs(rt, spec.id, () => realm.zones);
  const db = new DatabaseClient(rt.wire, realm.database.id);
  const checkpoints = new Checkpoints(db, rt.log, realm.checkpointEveryMs);
  const economy = new Economy({ db, log: rt.log, deliver: deliverEvent(rt, (entity) => layers.owner(entity), spec.id) });

  const makeCopy = (copy: number): Zone => {
    const id = worldId(spec.id, copy);
    const zone: Zone = new Zone({
      id,
      region: spec.region,
      cellSize: realm.world.cell,
      terrain: new Terrain(world, realm.blocked),
      tickHz: realm.tickHz,
      vision: realm.vision,
      npcs: spec.npcs,
      entityBase: (ordinal + 1) * ZONE_IDS + copy * COPY_IDS,
      peers,
      outputs: {
        events: (clientNode, events) => rt.wire.send(clientNode, Op.ZONE_EVENTS, { zone: id, tick: zone.tick, events }),
        crossing: (slot, state) => handoffs.offer(zone, slot, state, copy),
        departed: (state, why) => {
          rt.log.info("player-departed", { world: id, entity: state.entity, character: state.characterId, why });
          checkpoints.departed(state);
        },
        looted: (player, entity, target, item) => economy.loot(player.characterId, entity, player.clientNode, target, item, `loot:${id}`),
        traded: (trade) => economy.trade(trade),
      },
    });
    publisher.serve(id, zone.grid, q);
    if (copy > 0) rt.log.info("layer-opened", { world: id, players: layers?.players });
    return zone;
  };
  const layers: Layers = new Layers(realm.layerPlayers, makeCopy, (copy, zone) => {
    publisher.unserve(zone.opts.id);
    rt.log.info("layer-closed", { world: zone.opts.id, copy });
  });

  rt.on(Op.ZONE_ENTER, ({ corr, player, with: friend }, from) => {
    if (!layers.base.grid.contains(player.x, player.y)) {
      return rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: false, zone: spec.id, code: "wrong-zone" });
    }
    loop.wake();
    const zone = layers.owner(player.entity) ?? layers.place({ friend });
    if (zone.enter(player) < 0) return rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: false, zone: zone.opts.id, code: "entity-taken" });
    rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: true, zone: zone.opts.id });
    void economy.wallet(player.characterId, player.entity, player.clientNode);
  });
  // intents go to the copy that holds the player; those no copy holds are strays for the handoffs
  serveWorld(rt, (entity) => (loop.wake(), layers.owner(entity) ?? layers.base), () => layers.all(), (c, e, n) => void economy.wallet(c, e, n));
  servePlayerList(rt, () => realm.name, () => layers.all());
  handoffs.listen({
    refuse: (player) => (layers.base.grid.contains(player.x, player.y) ? undefined : "wrong-zone"),
    owner: (entity) => layers.owner(entity),
    place: (prefer) => (loop.wake(), layers.place({ prefer })),
    arrived: (zone, player) => tellArrival(rt, realm.realmNode.id, zone, player),
  });
  serveDungeonDoor(rt, spec.id, realm.realmNode.id, handoffs, (entity) => layers.owner(entity));

  const strays: Intent[] = [];
  const loop = new TickLoop(realm.tickHz, () => {
    const now = Date.now();
    for (const zone of layers.all()) {
      zone.step(now);
      checkpoints.tick(zone, now);
      for (const i of zone.strays) strays.push(i);
      zone.strays.length = 0;
      publisher.collect(zone.opts.id, zone.tick, now, zone.e);
    }
    publisher.flush();
    handoffs.forward(strays);
    strays.length = 0;
    layers.sweep(now);
  }, tickHistogram(rt, realm.tickHz), () => layers.players === 0 && !publisher.watched);
  rt.addVitals(() => ({
    ...worldVitals(loop, layers.base, publisher),
    players: layers.players,
    layers: layers.all().length,
    handoffsOut: handoffs.sent,
    handoffsIn: handoffs.received,
    checkpointsSaved: checkpoints.saved,
    checkpointsFailed: checkpoints.failed,
    looted: economy.looted,
    trades: economy.traded,
    economyRefused: economy.refused,
    economyWaited: economy.waited,
  }));
  // players stay where they are in the database; the realm puts them back in when the zone returns
  rt.onStop(async () => {
    loop.stop();
    await checkpoints.flush(layers.all());
  });
  void publisher.listen(() => loop.wake());
  loop.start();
  // started empty (first start or after a crash): the realm node puts back the players it had here
  rt.wire.send(realm.realmNode.id, Op.ZONE_STARTED, { zone: spec.id });
}
