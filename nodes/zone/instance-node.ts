// An instance node from the pool that all realms share: idle until a realm opens a dungeon on
// it, then the same world loop as a zone over the dungeon, capped in players; empty for long
// enough, the dungeon closes and the node is back in the pool. Players come in from a zone by
// handoff and go back out the same way to the entrance they came by; while inside, their
// checkpoints say "at the entrance", so a crash of this node brings them back there.
import { Quantizer } from "../../common/cell-snapshot.ts";
import { worldId } from "../../common/world-address.ts";
import { DatabaseClient } from "../../common/db-client.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import type { DungeonBack, PlayerState } from "../../common/protocol/zone.ts";
import type { InstanceSpec, RealmsConfig, RealmSpec } from "../../common/topology.ts";
import { CellPublisher } from "./cell-publisher.ts";
import { Checkpoints } from "./checkpoints.ts";
import { Economy } from "./economy.ts";
import { Handoffs } from "./handoff.ts";
import { Terrain } from "./movement.ts";
import { TickLoop } from "./tick-loop.ts";
import { bindPub, deliverEvent, servePlayerList, serveWorld, tellArrival, tickHistogram, worldVitals } from "./world-service.ts";
import { Zone } from "./zone.ts";

/** Dungeons tick at the realms' default rate, whichever realm opened them. */
const DUNGEON_HZ = 20;
/** How long a stopping node waits for its players to be handed back out. */
const SEND_BACK_MS = 2000;

interface OpenInstance {
  id: string;
  realm: string;
  realmSpec: RealmSpec;
  owner: string;
  cap: number;
  zone: Zone;
  loop: TickLoop;
  emptySince: number;
}

export async function startInstanceNode(rt: NodeRuntime, spec: InstanceSpec, config: RealmsConfig): Promise<void> {
  const publisher = new CellPublisher(await bindPub(spec.pub, rt), rt.log);
  let open: OpenInstance | undefined;
  let opened = 0;
  // one histogram over every dungeon this node runs: the node's load is what an operator scales on
  const timed = tickHistogram(rt, DUNGEON_HZ);
  // the way out of each player inside: the zone node owning its entrance, and the entrance point
  const backs = new Map<number, DungeonBack>();
  const ownerOf = (entity: number): Zone | undefined => (open?.zone.owns(entity) ? open.zone : undefined);
  // the pool serves every realm: loot, trades and checkpoints go to the database of the dungeon's realm
  const desks = new Map<string, { economy: Economy; checkpoints: Checkpoints }>();
  const deskOf = (realm: RealmSpec): { economy: Economy; checkpoints: Checkpoints } => {
    let desk = desks.get(realm.name);
    if (!desk) {
      const db = new DatabaseClient(rt.wire, realm.database.id);
      desk = {
        economy: new Economy({ db, log: rt.log, deliver: deliverEvent(rt, ownerOf, spec.id) }),
        checkpoints: new Checkpoints(db, rt.log, realm.checkpointEveryMs, (state) => backs.get(state.entity) ?? state),
      };
      desks.set(realm.name, desk);
    }
    return desk;
  };
  const economyOf = (realm: string): Economy | undefined => {
    const realmSpec = config.realms.find((r) => r.name === realm);
    return realmSpec && deskOf(realmSpec).economy;
  };
  const handoffs = new Handoffs(rt, spec.id, () => open?.realmSpec.zones ?? []);

  /** Hands the player back to the zone owning its entrance, landing at the entrance. */
  const sendBack = (zone: Zone, slot: number, state: PlayerState, why: string): Promise<boolean> => {
    const back = backs.get(state.entity);
    if (!back) {
      zone.emit(slot, { entity: state.entity, kind: "refused", reason: "no way out known: this player did not come in by an entrance" });
      return Promise.resolve(false);
    }
    return handoffs.handOver(zone, slot, state, { node: back.zone, layer: 0, land: back, redirect: { zone: back.zone, x: back.x, y: back.y } }).then((ok) => {
      if (ok) backs.delete(state.entity);
      else zone.emit(zone.e.slot(state.entity) ?? slot, { entity: state.entity, kind: "refused", reason: `the way out (${back.zone}) did not answer; try again` });
      rt.log.info(ok ? "dungeon-left" : "dungeon-leave-failed", { instance: zone.opts.id, entity: state.entity, character: state.characterId, to: back.zone, why });
      return ok;
    });
  };

  const close = (why: string): void => {
    if (!open) return;
    const { id, realm, owner, loop } = open;
    loop.stop();
    publisher.unserve(id);
    open = undefined;
    backs.clear();
    rt.wire.send(owner, Op.INSTANCE_CLOSED, { node: spec.id, instance: id, realm });
    rt.log.info("instance-closed", { instance: id, realm, why });
  };

  rt.on(Op.INSTANCE_OPEN, ({ corr, realm, dungeon, cap }, from) => {
    const map = DUNGEON_MAPS[dungeon];
    const realmSpec = config.realms.find((r) => r.name === realm);
    // a realm's dungeon is opened by that realm's own nodes: its loot goes to that realm's database
    const ours = realmSpec && (realmSpec.realmNode.id === from || realmSpec.zones.some((z) => z.id === from));
    if (!realmSpec || !ours) {
      rt.log.warn("instance-open-refused", { realm, from });
      return rt.wire.reply(from, Op.INSTANCE_OPENED, { corr, ok: false, node: spec.id, code: realmSpec ? "not-that-realm" : "unknown-realm" });
    }
    if (open) return rt.wire.reply(from, Op.INSTANCE_OPENED, { corr, ok: false, node: spec.id, code: "busy" });
    const desk = deskOf(realmSpec);
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
      // the zones the players came from pass on their intents sent during the handoff
      peers: realmSpec.zones.map((z) => z.id),
      outputs: {
        events: (clientNode, events) => rt.wire.send(clientNode, Op.ZONE_EVENTS, { zone: id, tick: zone.tick, events }),
        // a dungeon has walls, not neighbours
        crossing: (slot) => zone.displace(zone.e.id[slot]!, Math.min(map.width - 1, Math.max(1, zone.e.x[slot]!)), Math.min(map.height - 1, Math.max(1, zone.e.y[slot]!))),
        departed: (state, why) => {
          rt.log.info("player-departed", { instance: id, entity: state.entity, character: state.characterId, why });
          // saved at its entrance: it logs in again there
          desk.checkpoints.departed(state);
          backs.delete(state.entity);
        },
        looted: (player, entity, target, item) => desk.economy.loot(player.characterId, entity, player.clientNode, target, item, `loot:${id}`),
        traded: (trade) => desk.economy.trade(trade),
        exitDungeon: (slot, state) => void sendBack(zone, slot, state, "asked"),
      },
    });
    const loop = new TickLoop(DUNGEON_HZ, () => {
      const now = Date.now();
      zone.step(now);
      desk.checkpoints.tick(zone, now);
      handoffs.forward(zone.strays);
      zone.strays.length = 0;
      publisher.publish(id, zone.tick, now, zone.e);
      if (zone.playerCount > 0) instance.emptySince = now;
      else if (now - instance.emptySince >= config.instances.closeAfterMs) close("empty");
    }, timed, () => zone.playerCount === 0 && !publisher.watched);
    const instance: OpenInstance = { id, realm, realmSpec, owner: from, cap: cap ?? config.instances.maxPlayers, zone, emptySince: Date.now(), loop };
    publisher.serve(id, zone.grid, new Quantizer(map.width, map.height));
    open = instance;
    instance.loop.start();
    rt.log.info("instance-opened", { instance: id, realm, dungeon, cap: instance.cap, by: from });
    rt.wire.reply(from, Op.INSTANCE_OPENED, { corr, ok: true, node: spec.id, instance: id, width: map.width, height: map.height, entranceX: map.entrance[0], entranceY: map.entrance[1] });
  });

  rt.on(Op.ZONE_ENTER, ({ corr, player }, from) => {
    open?.loop.wake();
    const zone = open?.zone;
    const code = !zone ? "closed" : zone.playerCount >= open!.cap ? "full" : !zone.grid.contains(player.x, player.y) ? "wrong-zone" : undefined;
    const taken = code === undefined && zone!.enter(player) < 0;
    if (code === undefined && !taken) {
      rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: true, zone: open!.id });
      return void economyOf(open!.realm)?.wallet(player.characterId, player.entity, player.clientNode);
    }
    rt.wire.reply(from, Op.ZONE_ENTERED, { corr, ok: false, zone: open?.id ?? spec.id, code: code ?? "entity-taken" });
  });
  handoffs.listen({
    refuse: (player) => {
      if (!open) return "closed";
      if (open.zone.playerCount >= open.cap) return "full";
      if (!open.zone.grid.contains(player.x, player.y)) return "wrong-zone";
      // a party on its way in keeps a fresh dungeon from closing as empty
      open.emptySince = Date.now();
      return undefined;
    },
    owner: ownerOf,
    place: () => (open?.loop.wake(), open?.zone),
    arrived: (zone, player, back) => {
      const slot = zone.e.slot(player.entity);
      const info = slot === undefined ? undefined : zone.players.get(slot);
      if (!open || slot === undefined || !info) return;
      if (back) backs.set(player.entity, back);
      // saved at the entrance at once: a crash of this node from now on brings the player back there
      deskOf(open.realmSpec).checkpoints.arrived(zone.stateOf(slot, info), info, Date.now());
      tellArrival(rt, open.realmSpec.realmNode.id, zone, player);
      rt.log.info("instance-entered", { instance: zone.opts.id, entity: player.entity, character: player.characterId, back: back?.zone });
    },
  });
  serveWorld(rt, () => (open?.loop.wake(), open?.zone), () => (open ? [open.zone] : []), (c, e, n) => void (open && economyOf(open.realm)?.wallet(c, e, n)));
  servePlayerList(rt, () => open?.realm, () => (open ? [open.zone] : []));
  rt.addVitals(() => ({ ...worldVitals(open?.loop, open?.zone, publisher), open: open ? 1 : 0, opened }));
  // stopping with players inside: they go back out to their entrances first
  rt.onStop(async () => {
    const zone = open?.zone;
    if (zone) {
      const out = [...zone.players.keys()].map((slot) => sendBack(zone, slot, zone.stateOf(slot), "node stopping"));
      await Promise.race([Promise.all(out), new Promise((resolve) => setTimeout(resolve, SEND_BACK_MS))]);
    }
    close("node stopping");
  });
  void publisher.listen(() => open?.loop.wake());
  // started empty (first start or after a crash): the realm nodes put back the players they had here
  for (const realm of config.realms) rt.wire.send(realm.realmNode.id, Op.ZONE_STARTED, { zone: spec.id });
}
