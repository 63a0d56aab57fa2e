// What zone and instance nodes both serve: their PUB socket, the intents of players, the truth
// for tests and benchmarks, server displacement, and the tick's vital signs.
import { Histogram } from "prom-client";
import * as zmq from "zeromq";
import type { NodeRuntime } from "../../common/node.ts";
import type { Vitals } from "../../common/protocol/control.ts";
import { Op } from "../../common/opcodes.ts";
import { sendInParts } from "../../common/protocol/directory.ts";
import type { PlayerState, ZoneEvent } from "../../common/protocol/zone.ts";
import { readMoves } from "../../common/move-batch.ts";
import type { CellPublisher } from "./cell-publisher.ts";
import type { TickLoop } from "./tick-loop.ts";
import type { Zone } from "./zone.ts";

/** The node's PUB; on a mesh only the realm's keys may subscribe. */
export async function bindPub(address: string, rt: NodeRuntime): Promise<zmq.XPublisher> {
  // the inbox registered the keys already (and drops them at close); this covers a PUB bound first
  await rt.mesh?.listen(rt.log);
  const pub = new zmq.XPublisher({ linger: 0, sendHighWaterMark: 20_000, ...rt.mesh?.serverOptions() });
  try {
    await pub.bind(address);
  } catch (err) {
    pub.close();
    throw new Error(`cannot bind pub ${address}: ${(err as Error).message}`);
  }
  return pub;
}

/**
 * Inbox handlers over the worlds the node runs: `route` names the world that holds an entity
 * (an instance node between dungeons holds none), `all` lists them for the truth, `wallet`
 * sends a reattached player its gold and items.
 */
export function serveWorld(
  rt: NodeRuntime,
  route: (entity: number) => Zone | undefined,
  all: () => Zone[],
  wallet: (characterId: string, entity: number, clientNode: string) => void,
): void {
  rt.on(Op.ZONE_INTENTS, ({ intents, moves, stalledMs }, from) => {
    if (moves) {
      const list = readMoves(moves);
      if (stalledMs) for (const entity of new Set(list.map((m) => m.entity))) route(entity)?.excuse(entity, stalledMs / 1000, from);
      for (const m of list) route(m.entity)?.queue([m], from);
    }
    for (const i of intents) route(i.entity)?.queue([i], from);
  });
  rt.on(Op.ZONE_REATTACH, ({ corr, entity, clientNode }, from) => {
    // only the client node itself may claim a player
    const zone = clientNode === from ? route(entity) : undefined;
    const state = zone?.reattach(entity, clientNode);
    if (!zone || !state) return rt.wire.reply(from, Op.ZONE_REATTACHED, { corr, ok: false, zone: rt.id });
    rt.log.info("player-reattached", { world: zone.opts.id, entity, clientNode });
    rt.wire.reply(from, Op.ZONE_REATTACHED, { corr, ok: true, zone: zone.opts.id, x: state.x, y: state.y, seq: state.seq });
    // what the player earned while it was away reaches it now
    wallet(state.characterId, entity, clientNode);
  });
  rt.on(Op.ZONE_DISPLACE, ({ entity, x, y, reason }, from) => {
    if (!route(entity)?.displace(entity, x, y)) rt.log.warn("displace-refused", { entity, from, reason });
  });
  rt.on(Op.ZONE_TRUTH_REQUEST, ({ corr }, from) => {
    const entities = [];
    let tick = 0;
    for (const zone of all()) {
      const e = zone.e;
      tick = Math.max(tick, zone.tick);
      for (let s = 0; s < e.high; s++) if (e.alive[s]) entities.push({ entity: e.id[s]!, kind: e.kind[s]!, x: e.x[s]!, y: e.y[s]! });
    }
    rt.wire.reply(from, Op.ZONE_TRUTH_REPLY, { corr, zone: rt.id, tick, serverTime: Date.now(), entities });
  });
}

/**
 * A (re)started realm node asks which of its players are in the node's worlds (`realm` is the
 * realm of those worlds; an idle instance node has none): the zones are its truth for where the
 * characters are. In parts, as a big zone's list could pass the 1 MiB body limit.
 */
export function servePlayerList(rt: NodeRuntime, realmOf: () => string | undefined, all: () => Zone[]): void {
  rt.on(Op.ZONE_PLAYERS_REQUEST, ({ realm }, from) => {
    // the players' accounts are for their realm's node only
    if (rt.opts.config.realms.find((r) => r.name === realm)?.realmNode.id !== from) return void rt.log.warn("players-request-refused", { from, realm });
    const players = [];
    if (realm === realmOf()) {
      for (const zone of all()) {
        for (const [s, info] of zone.players) {
          players.push({ entity: zone.e.id[s]!, characterId: info.characterId, accountId: info.accountId, clientNode: info.clientNode, world: zone.opts.id });
        }
      }
    }
    sendInParts(players, (part, done) => rt.wire.reply(from, Op.ZONE_PLAYERS_REPORT, { realm, players: part, done }));
    rt.log.info("players-reported", { realm, to: from, players: players.length });
  });
}

/**
 * The node's tick durations as a histogram, buckets from a fiftieth of the tick to twice it
 * (1 ms .. 100 ms at 20 Hz): a tick past its period is the one that makes the world stutter.
 */
export function tickHistogram(rt: NodeRuntime, hz: number): (ms: number) => void {
  const periodMs = 1000 / hz;
  const histogram = new Histogram({
    name: "realm_zone_tick_seconds",
    help: "time one tick of the world loop took",
    // divided in milliseconds first, so the bounds print as 0.0025, not 0.0025000000000000005
    buckets: [50, 20, 10, 5, 2, 1, 0.5].map((d) => periodMs / d / 1000),
    registers: [rt.metrics.registry],
  });
  return (ms) => histogram.observe(ms / 1000);
}

export function worldVitals(loop: TickLoop | undefined, zone: Zone | undefined, publisher: CellPublisher | undefined): Vitals {
  const s = loop?.stats();
  return {
    players: zone?.playerCount ?? 0,
    entities: zone?.e.count ?? 0,
    awakeNpcs: zone?.awakeNpcs ?? 0,
    ticks: s?.ticks ?? 0,
    ticksSkipped: s?.skipped ?? 0,
    ticksRested: s?.rested ?? 0,
    resting: s?.resting ? 1 : 0,
    tickP50Ms: s?.p50Ms ?? 0,
    tickP99Ms: s?.p99Ms ?? 0,
    tickMaxMs: s?.maxMs ?? 0,
    publishBytesPerTick: publisher?.bytesLastTick ?? 0,
    publishedCells: publisher?.cellsLastTick ?? 0,
    subscribedCells: publisher?.subscribedCells ?? 0,
  };
}

/** Tells the realm node a player arrived by handoff, so its directory knows the world the player is in (a restart of that world puts it back). */
export function tellArrival(rt: NodeRuntime, realmNode: string, zone: Zone, p: PlayerState): void {
  rt.wire.send(realmNode, Op.WORLD_ARRIVED, { world: zone.opts.id, entity: p.entity, characterId: p.characterId, accountId: p.accountId, clientNode: p.clientNode });
}

/**
 * Sends one event to a player outside the tick (an answer from the database). While a copy of
 * this node holds the player, it goes out with that copy's next tick, after the events already
 * queued (a wallet never overtakes the `entered` it follows); once the player has left the node,
 * straight to the client node it had.
 */
export function deliverEvent(rt: NodeRuntime, owner: (entity: number) => Zone | undefined, baseWorld: string) {
  return (entity: number, clientNode: string, ev: ZoneEvent): void => {
    const zone = owner(entity);
    const s = zone?.e.slot(entity);
    if (zone && s !== undefined && zone.players.has(s)) return zone.emit(s, ev);
    rt.wire.send(clientNode, Op.ZONE_EVENTS, { zone: baseWorld, tick: 0, events: [ev] });
  };
}
