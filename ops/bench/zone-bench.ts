// The zone's two numbers: tick time as entities grow (spread over the zone or clumped in one
// spot), and egress with N players clumped, ours (each cell once per client node) beside the naive
// N² way (each player sent its own full view).
import * as zmq from "zeromq";
import { blockBytes, Quantizer } from "../../common/cell-snapshot.ts";
import { ENTRY_HEADER } from "../../common/cell-batch.ts";
import { batchTopic, interestTopic } from "../../common/world-address.ts";
import { ZoneFeed } from "../../common/zone-feed.ts";
import { createLog } from "../../common/log.ts";
import type { IntentOf } from "../../common/protocol/zone.ts";
import { CellPublisher } from "../../nodes/zone/cell-publisher.ts";
import { Terrain } from "../../nodes/zone/movement.ts";
import { NPC_TEMPLATES } from "../../nodes/zone/npcs.ts";
import { TickTimes } from "../../nodes/zone/tick-loop.ts";
import { Zone } from "../../nodes/zone/zone.ts";
import { plot, type Bench, type Cell, type Chart } from "./bench.ts";

const REGION = [0, 0, 2000, 4000] as const;
const CELL = 50;
const VISION = 100;
const CLIENT = "CLIENT-1";
/** The zone tick p99 a crowd of 2,000 players and 3,000 NPCs must stay within. */
const CROWD_TARGET_MS = 10;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

interface Scenario {
  entities: number;
  clumped: boolean;
  /** Players among the entities, who walk every tick; a tenth unless told. */
  players?: number;
}

/** A zone with `players` of its entities walking every tick, the rest NPCs. */
function buildZone(sc: Scenario): { zone: Zone; walk: () => void } {
  const random = seeded(sc.entities + (sc.clumped ? 1 : 0));
  const players = sc.players ?? Math.max(1, Math.round(sc.entities / 10));
  const zone = new Zone({
    id: "BENCH-ZONE",
    region: REGION,
    cellSize: CELL,
    terrain: new Terrain([0, 0, 4000, 4000], []),
    tickHz: 20,
    vision: VISION,
    npcs: 0,
    entityBase: 0x100_0000,
    peers: [],
    random,
    outputs: { events: () => {}, crossing: () => {}, departed: () => {}, looted: () => {}, traded: () => {} },
  });
  const place = (): [number, number] =>
    sc.clumped ? [1000 + random() * 20, 2000 + random() * 20] : [REGION[0] + random() * 2000, REGION[1] + random() * 4000];
  for (let i = 0; i < sc.entities - players; i++) {
    const [x, y] = place();
    const s = zone.brains.spawn(zone.e, 0x100_0000 + i, NPC_TEMPLATES[0]!, x, y);
    zone.grid.place(zone.e, s);
  }
  const ids: number[] = [];
  for (let i = 1; i <= players; i++) {
    const [x, y] = place();
    zone.enter({ entity: i, characterId: `c${i}`, accountId: `a${i}`, clientNode: CLIENT, name: `P${i}`, x, y, heading: 0, level: 1, hp: 100, maxHp: 100, speed: 7, version: 0, seq: -1, seqMask: 0, moveSeq: -1 });
    ids.push(i);
  }
  let seq = 0;
  const intents: IntentOf<"move">[] = ids.map((entity) => ({ entity, seq: 0, kind: "move", x: 0, y: 0 }));
  const walk = (): void => {
    seq++;
    for (const i of intents) {
      const s = zone.e.slot(i.entity)!;
      const a = random() * 2 * Math.PI;
      i.seq = seq;
      i.x = Math.min(REGION[2] - 1, Math.max(1, zone.e.x[s]! + Math.cos(a) * 0.3));
      i.y = Math.min(REGION[3] - 1, Math.max(1, zone.e.y[s]! + Math.sin(a) * 0.3));
    }
    zone.queue(intents, CLIENT);
  };
  return { zone, walk };
}

async function tickTimes(sc: Scenario, ticks: number): Promise<{ p50: number; p99: number; bytes: number }> {
  const { zone, walk } = buildZone(sc);
  const pub = new zmq.XPublisher({ linger: 0, sendHighWaterMark: 100_000 });
  await pub.bind("tcp://127.0.0.1:*");
  const feed = new ZoneFeed([{ id: "BENCH-ZONE", pub: pub.lastEndpoint! }], undefined, 100_000);
  // as a client node wanting every cell: one batch a tick
  feed.subscribe("BENCH-ZONE", batchTopic("BENCH-CLIENT"));
  for (let c = 0; c < zone.grid.cells; c++) feed.subscribe("BENCH-ZONE", interestTopic("BENCH-ZONE", zone.grid.cx(c), zone.grid.cy(c), "BENCH-CLIENT"));
  feed.start(() => {});
  const publisher = new CellPublisher(pub, createLog("bench", "error"));
  publisher.serve("BENCH-ZONE", zone.grid, new Quantizer(4000, 4000));
  void publisher.listen();
  // the subscriptions reach the publisher asynchronously: wait until every cell is watched
  while (publisher.subscribedCells < zone.grid.cells) await new Promise((r) => setTimeout(r, 20));
  const times = new TickTimes(ticks);
  let bytes = 0;
  // the first ticks are the JIT's and the first aggro scans': measure from the steady state
  const warmup = Math.ceil(ticks / 3);
  for (let t = -warmup; t < ticks; t++) {
    walk();
    const begin = performance.now();
    zone.step((t + warmup) * 50);
    publisher.publish("BENCH-ZONE", zone.tick, (t + warmup) * 50, zone.e);
    if (t >= 0) {
      times.add(performance.now() - begin);
      bytes += publisher.bytesLastTick;
    }
    // let the socket drain between ticks, as the 50 ms between real ticks would
    await new Promise((r) => setImmediate(r));
  }
  await feed.close();
  pub.close();
  const p = times.percentiles();
  return { p50: p.p50Ms, p99: p.p99Ms, bytes: bytes / ticks };
}

/** Bytes per tick leaving the zone for N players clumped in one spot, C client nodes. */
function egress(players: number, clientNodes: number): { ours: number; naive: number } {
  const { zone } = buildZone({ entities: players * 10, clumped: true });
  // everyone stands within one cell of the others: each sees the whole clump
  const reach = Math.ceil(VISION / CELL);
  let cellBytes = 0;
  let visibleRecords = 0;
  const center = zone.grid.cellAt(1010, 2010);
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) {
      const cell = zone.grid.local(zone.grid.cx(center) + dx, zone.grid.cy(center) + dy);
      const n = cell < 0 ? 0 : zone.grid.members[cell]!.length;
      if (n > 0) cellBytes += blockBytes(n) + ENTRY_HEADER;
      visibleRecords += n;
    }
  }
  return { ours: cellBytes * clientNodes, naive: players * blockBytes(visibleRecords) };
}

export const zoneBench: Bench = {
  name: "zone",
  about: "tick time vs entities (spread, clumped), and zone egress with N clumped players vs the naive per-player full view",
  async run(ctx) {
    const ticks = ctx.quick ? 60 : 300;
    const rows: Cell[][] = [];
    const figures: Record<string, number> = {};
    const sizes = ctx.quick ? [500, 2000, 5000] : [500, 1000, 2000, 5000, 10_000];
    const tick: Chart = { name: "tick", title: "Zone tick time vs entities", x: { label: "entities in the zone", log: true }, y: { label: "tick ms", log: true }, series: [] };
    for (const entities of sizes) {
      for (const clumped of [false, true]) {
        ctx.progress(`${entities} entities ${clumped ? "clumped" : "spread"}, ${ticks} ticks`);
        const r = await tickTimes({ entities, clumped }, ticks);
        const name = `${entities}-${clumped ? "clumped" : "spread"}`;
        rows.push([`tick, ${entities} entities ${clumped ? "clumped" : "spread"}`, r.p50, r.p99, "ms (p50 / p99)", r.p99 / 50]);
        figures[`tickP50Ms-${name}`] = r.p50;
        figures[`tickP99Ms-${name}`] = r.p99;
        plot(tick, `${clumped ? "clumped" : "spread"} p50`, entities, r.p50);
        plot(tick, `${clumped ? "clumped" : "spread"} p99`, entities, r.p99);
      }
      plot(tick, "tick budget (50 ms)", entities, 50);
    }
    // the crowd the issue names: 2,000 players walking among 3,000 NPCs, all in one spot; one core, p99 within 10 ms
    ctx.progress(`2000 players + 3000 NPCs clumped, ${ticks} ticks`);
    const crowd = await tickTimes({ entities: 5000, clumped: true, players: 2000 }, ticks);
    rows.push(["tick, 2,000 players walking + 3,000 NPCs clumped", crowd.p50, crowd.p99, "ms (p50 / p99)", crowd.p99 / CROWD_TARGET_MS]);
    figures["tickP50Ms-crowd"] = crowd.p50;
    figures["tickP99Ms-crowd"] = crowd.p99;
    const egressChart: Chart = { name: "egress", title: "Zone egress per tick vs clumped players", x: { label: "players clumped in one spot (9 NPCs each)", log: true }, y: { label: "bytes per tick", log: true }, series: [] };
    for (const players of ctx.quick ? [100, 500, 1000] : [100, 250, 500, 1000, 2000]) {
      let naiveBytes = 0;
      for (const clientNodes of [2, 8]) {
        const { ours, naive } = egress(players, clientNodes);
        rows.push([`egress/tick, ${players} players clumped, ${clientNodes} client nodes`, ours, naive, "bytes (ours / naive N²)", ours / naive]);
        figures[`egressBytesPerTick-${players}p-${clientNodes}c`] = ours;
        figures[`naiveBytesPerTick-${players}p-${clientNodes}c`] = naive;
        plot(egressChart, `ours, ${clientNodes} client nodes`, players, ours);
        naiveBytes = naive;
      }
      plot(egressChart, "naive: every player its full view", players, naiveBytes);
    }
    return {
      columns: ["measure", "ours", "other", "unit", "ratio"],
      rows,
      figures,
      notes: [
        "tick rows: the ratio is p99 as a share of the 50 ms tick budget at 20 Hz (the crowd's: of its 10 ms target); players are a tenth of the entities unless named and walk every tick, NPCs near them are awake",
        "egress rows: ours = each visible cell once per client node; naive = every player sent every entity it sees, every tick",
      ],
      charts: [tick, egressChart],
    };
  },
};
