// An instance node from the pool that all realms share: idle until a realm opens a dungeon on
// it, then the same world loop as a zone over the dungeon, capped in players; empty for long
// enough, the dungeon closes and the node is back in the pool.
import { Quantizer } from "../../common/cell-snapshot.ts";
import { worldId } from "../../common/world-address.ts";
import { DatabaseClient } from "../../common/db-client.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import type { InstanceSpec, RealmsConfig } from "../../common/topology.ts";
import { CellPublisher } from "./cell-publisher.ts";
import { Economy } from "./economy.ts";
import { Terrain } from "./movement.ts";
import { TickLoop } from "./tick-loop.ts";
import { bindPub, deliverEvent, servePlayerList, serveWorld, tickHistogram, worldVitals } from "./world-service.ts";
import { Zone } from "./zone.ts";

/** Dungeons tick at the realms' default rate, whichever realm opened them. */
const DUNGEON_HZ = 20;

interface OpenInstance {
  id: string;
  realm: string;
  owner: string;
  cap: number;
  zone: Zone;
  loop: TickLoop;
  emptySince: number;
}

export async function startInstanceNode(rt: NodeRuntime, spec: InstanceSpec, config: RealmsConfig): Promise<void> {
  const publisher = new CellPublisher(await bindPub(spec.pub, rt), rt.log);
  void publisher.listen();
  let open: OpenInstance | undefined;
  let opened = 0;
  // one histogram over every dungeon this node runs: the node's load is what an operator scales on
  const timed = tickHistogram(rt, DUNGEON_HZ);
  // the pool serves every realm: loot and trades go to the database of the dungeon's realm
  const economies = new Map<string, Economy>();
  const economyOf = (realm: string): Economy | undefined => {
    const realmSpec = config.realms.find((r) => r.name === realm);
    if (!realmSpec) return undefined;
    let economy = economies.get(realm);
    if (!economy) {
      const owner = (entity: number): Zone | undefined => (open?.zone.owns(entity) ? open.zone : undefined);
      economy = new Economy({ db: new DatabaseClient(rt.wire, realmSpec.database.id), log: rt.log, deliver: deliverEvent(rt, owner, spec.id) });
      economies.set(realm, economy);
    }
    return economy;
  };

  const close = (why: string): void => {
    if (!open) return;
    const { id, realm, owner, loop } = open;
    loop.stop();
    publisher.unserve(id);
    open = undefined;
    rt.wire.send(owner, Op.INSTANCE_CLOSED, { node: spec.id, instance: id, realm });
    rt.log.info("instance-closed", { instance: id, realm, why });
  };

  rt.on(Op.INSTANCE_OPEN, ({ corr, realm, dungeon, cap }, from) => {
    if (open) return rt.wire.reply(from, Op.INSTANCE_OPENED, { corr, ok: false, node: spec.id, code: "busy" });
    const map = DUNGEON_MAPS[dungeon];
    const id = worldId(spec.id, ++opened);
    const region = [0, 0, map.width, map.height] as const;
    const zone: Zone = new Zone({
      id,
      region,
      cellSize: map.cell,
      terrain: new Terrain(region, []),
      tickHz: 20,
      vision: 100,
      npcs: map.npcs,
      entityBase: 0x7f00_0000,
      peers: [],
      outputs: {
        events: (clientNode, events) => rt.wire.send(clientNode, Op.ZONE_EVENTS, { zone: id, tick: zone.tick, events }),
        // a dungeon has walls, not neighbours
        crossing: (slot) => zone.displace(zone.e.id[slot]!, Math.min(map.width - 1, Math.max(1, zone.e.x[slot]!)), Math.min(map.height - 1, Math.max(1, zone.e.y[slot]!))),
        departed: (state, why) => rt.log.info("player-departed", { instance: id, entity: state.entity, character: state.characterId, why }),
        looted: (player, entity, target, item) => economyOf(realm)?.loot(player.characterId, entity, player.clientNode, target, item, `loot:${id}`),
        traded: (trade) => economyOf(realm)?.trade(trade),
      },
    });
    const loop = new TickLoop(DUNGEON_HZ, () => {
      const now = Date.now();
      zone.step(now);
      publisher.publish(id, zone.tick, now, zone.e);
      if (zone.playerCount > 0) instance.emptySince = now;
      else if (now - instance.emptySince >= config.instances.closeAfterMs) close("empty");
    }, timed);
    const instance: OpenInstance = { id, realm, owner: from, cap: cap ?? config.instances.maxPlayers, zone, emptySince: Date.now(), loop };
    publisher.serve(id, zone.grid, new Quantizer(map.width, map.height));
    open = instance;
    instance.loop.start();
    rt.log.info("instance-opened", { instance: id, realm, dungeon, cap: instance.cap, by: from });
    rt.wire.reply(from, Op.INSTANCE_OPENED, { corr, ok: true, node: spec.id, instance: id, width: map.width, height: map.height, entranceX: map.entrance[0], entranceY: map.entrance[1] });
  });

  rt.on(Op.ZONE_ENTER, ({ corr, player }, from) => {
    const zone = open?.zone;
    const code = !zone ? "closed" : zone.playerCount >= open!.cap ? "full" : !zone.grid.contains(player.x, player.y) ? "wrong-zone" : undefined;
    const taken = code === undefined && zone!.enter(player) < 0;
    if (code === undefined && !taken) {
      rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: true, zone: open!.id });
      return void economyOf(open!.realm)?.wallet(player.characterId, player.entity, player.clientNode);
    }
    rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: false, zone: open?.id ?? spec.id, code: code ?? "entity-taken" });
  });
  serveWorld(rt, () => open?.zone, () => (open ? [open.zone] : []), (c, e, n) => void (open && economyOf(open.realm)?.wallet(c, e, n)));
  servePlayerList(rt, () => open?.realm, () => (open ? [open.zone] : []));
  rt.addVitals(() => ({ ...worldVitals(open?.loop, open?.zone, publisher), open: open ? 1 : 0, opened }));
  rt.onStop(() => close("node stopping"));
}
