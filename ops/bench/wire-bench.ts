// The node-to-node wire: what typed decoding costs over a bare msgpack decode, and how many
// request/answer round trips one pair of nodes makes over ZeroMQ on loopback, and what CURVE costs
// on round trips and on the bulk path (cell blocks, PUB to SUB).
import msgpack from "msgpack-lite";
import { decodeFrame, encodeFrame } from "../../common/codec.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { Wire } from "../../common/wire.ts";
import * as zmq from "zeromq";
import { keyBook, MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import { ZoneFeed } from "../../common/zone-feed.ts";
import { newKeyPair } from "../../common/mesh/mesh-keys.ts";
import { plot, rate, type Bench, type Cell, type Chart } from "./bench.ts";

const heartbeat: Body<typeof Op.HEARTBEAT> = {
  id: "FORTRAX-ZONE-1",
  kind: "zone",
  realm: "Fortrax",
  pid: 4242,
  seq: 7,
  startedAt: Date.now(),
  uptimeMs: 123_456,
  rssBytes: 90_000_000,
  heapUsedBytes: 30_000_000,
  vitals: { players: 120, tickP50Ms: 2.1, tickP99Ms: 6.5, tickMaxMs: 9.9, entities: 3400 },
};

/** A two-node mesh in memory: what a realm's keys folder gives each node. */
function benchMesh(): { server: MeshIdentity; client: MeshIdentity } {
  const pairs = { "BENCH-SERVER": newKeyPair(), "BENCH-CLIENT": newKeyPair() };
  const keys = keyBook(pairs);
  return { server: new MeshIdentity("BENCH-SERVER", pairs["BENCH-SERVER"], keys), client: new MeshIdentity("BENCH-CLIENT", pairs["BENCH-CLIENT"], keys) };
}

/** Cell blocks of 1 KiB per second from a zone-like PUB to a client-like SUB, plain or on CURVE: the mesh's bulk path. */
async function blocksPerSecond(ms: number, curve: boolean): Promise<number> {
  const mesh = curve ? benchMesh() : undefined;
  const unlisten = await mesh?.server.listen(createLog("bench", "error"));
  const pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 10_000, ...mesh?.server.serverOptions() });
  await pub.bind("tcp://127.0.0.1:*");
  // the client node's own SUB, on a zone named BENCH-SERVER
  const feed = new ZoneFeed([{ id: "BENCH-SERVER", pub: pub.lastEndpoint! }], mesh?.client, 10_000);
  feed.subscribe("BENCH-SERVER", "cell/");
  const topic = Buffer.from("cell/1,1/");
  const block = Buffer.alloc(1024, 7);
  let received = 0;
  feed.start(() => received++);
  // the subscription takes a moment to reach the publisher: send until the first block arrives
  while (received === 0) await pub.send([topic, block]);
  const start = performance.now();
  const from = received;
  while (performance.now() - start < ms) await pub.send([topic, block]);
  await new Promise((r) => setTimeout(r, 50));
  const perSecond = ((received - from) * 1000) / (performance.now() - start);
  await feed.close();
  pub.close();
  unlisten?.();
  return perSecond;
}

/** PING/PONG round trips per second between two Wires on loopback, plain or on CURVE (ZAP, id proofs: as nodes run). */
async function roundTrips(ms: number, concurrency: number, curve = false): Promise<number> {
  const log = createLog("bench", "error");
  const mesh = curve ? benchMesh() : undefined;
  const server: Wire = new Wire("BENCH-SERVER", log, () => undefined, (frame, from) => {
    if (frame.op === Op.PING) server.reply(from, Op.PONG, { corr: frame.body.corr, id: "BENCH-SERVER", uptimeMs: 0 });
  }, undefined, mesh?.server);
  const address = await server.bind("tcp://127.0.0.1:*");
  const client = new Wire("BENCH-CLIENT", log, () => address, () => {}, undefined, mesh?.client);
  await client.request("BENCH-SERVER", Op.PING, {}, 5000);
  let done = 0;
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await client.request("BENCH-SERVER", Op.PING, {}, 5000);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const perSecond = (done * 1000) / (performance.now() - start);
  await client.close();
  await server.close();
  return perSecond;
}

export const wireBench: Bench = {
  name: "wire",
  about: "frame decoding with typed checks vs bare msgpack, and request/answer round trips over ZeroMQ",
  async run(ctx) {
    const ms = ctx.quick ? 300 : 1500;
    const frames = encodeFrame(Op.HEARTBEAT, heartbeat);
    ctx.progress("decoding heartbeats");
    const typed = rate(ms, () => decodeFrame(frames));
    const bare = rate(ms, () => msgpack.decode(frames[1]));
    const json = JSON.stringify(heartbeat);
    const viaJson = rate(ms, () => JSON.parse(json));
    const chart: Chart = { name: "round-trips", title: "PING/PONG round trips per second over ZeroMQ (loopback) vs requests in flight", x: { label: "requests in flight", log: true }, y: { label: "round trips/s" }, series: [] };
    const perInFlight = new Map<number, number>();
    for (const n of ctx.quick ? [1, 32] : [1, 4, 16, 32, 128]) {
      ctx.progress(`round trips, ${n} in flight`);
      perInFlight.set(n, await roundTrips(ms * 2, n));
      plot(chart, "round trips/s", n, perInFlight.get(n)!);
    }
    // CURVE and plain alternate, so a change in the machine's load falls on both alike
    const rounds = { plain: [] as number[], curve: [] as number[], plainBlocks: [] as number[], curveBlocks: [] as number[] };
    for (let round = 1; round <= 3; round++) {
      ctx.progress(`plain and on CURVE, round trips and cell blocks: round ${round} of 3`);
      rounds.plain.push(await roundTrips(ms, 32));
      rounds.curve.push(await roundTrips(ms, 32, true));
      rounds.plainBlocks.push(await blocksPerSecond(ms, false));
      rounds.curveBlocks.push(await blocksPerSecond(ms, true));
    }
    const middle = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
    const curve = middle(rounds.curve);
    const plain = middle(rounds.plain);
    const curveBlocks = middle(rounds.curveBlocks);
    const plainBlocks = middle(rounds.plainBlocks);
    const serial = perInFlight.get(1)!;
    const pipelined = perInFlight.get(32)!;
    const curveRows: Cell[][] = [...perInFlight]
      .filter(([n]) => n !== 1 && n !== 32)
      .map(([n, r]) => [`PING/PONG round trips/s, ${n} in flight`, r, serial, "1 in flight", r / serial]);
    return {
      columns: ["measure", "ours", "baseline", "baseline is", "ours / baseline"],
      rows: [
        ["heartbeat decodes/s", typed, bare, "msgpack-lite decode, no checks", typed / bare],
        ["heartbeat decodes/s", typed, viaJson, "JSON.parse, no checks", typed / viaJson],
        ["PING/PONG round trips/s", pipelined, serial, "1 in flight instead of 32", pipelined / serial],
        ...curveRows,
        ["PING/PONG round trips/s, 32 in flight, CURVE + ZAP + id proofs (median of 3)", curve, plain, "the same Wires without CURVE, alternated", curve / plain],
        ["1 KiB cell blocks/s, PUB to SUB, CURVE (median of 3)", curveBlocks, plainBlocks, "the same sockets without CURVE, alternated", curveBlocks / plainBlocks],
      ],
      figures: { typedDecodesPerSec: typed, bareDecodesPerSec: bare, checkedVsBare: typed / bare, roundTripsPerSec: pipelined, serialRoundTripsPerSec: serial, curveRoundTripsPerSec: curve, plainBlocksPerSec: plainBlocks, curveBlocksPerSec: curveBlocks },
      notes: [
        `heartbeat frame: ${frames[1].length} bytes of msgpack, ${json.length} of JSON`,
        `round trips/s, CURVE ${rounds.curve.map(Math.round).join(", ")}; plain ${rounds.plain.map(Math.round).join(", ")}`,
        `cell blocks/s, CURVE ${rounds.curveBlocks.map(Math.round).join(", ")}; plain ${rounds.plainBlocks.map(Math.round).join(", ")}`,
      ],
      charts: [chart],
    };
  },
};
