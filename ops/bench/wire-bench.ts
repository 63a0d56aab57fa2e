// The node-to-node wire: what typed decoding costs over a bare msgpack decode, and how many
// request/answer round trips one pair of nodes makes over ZeroMQ on loopback.
import msgpack from "msgpack-lite";
import { decodeFrame, encodeFrame } from "../../common/codec.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { Wire } from "../../common/wire.ts";
import { bareRoundTrips } from "./curve-pair.ts";
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

async function roundTrips(ms: number, concurrency: number): Promise<number> {
  const log = createLog("bench", "error");
  const server: Wire = new Wire("BENCH-SERVER", log, () => undefined, (frame, from) => {
    if (frame.op === Op.PING) server.reply(from, Op.PONG, { corr: (frame.body as { corr: number }).corr, id: "BENCH-SERVER", uptimeMs: 0 });
  });
  const address = await server.bind("tcp://127.0.0.1:*");
  const client = new Wire("BENCH-CLIENT", log, () => address, () => {});
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
    ctx.progress("bare round trips, plain and CURVE");
    const plain = await bareRoundTrips(ms * 2, 32, false);
    const curve = await bareRoundTrips(ms * 2, 32, true);
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
        ["bare ROUTER/DEALER echo round trips/s, 32 in flight, CURVE + ZAP", curve, plain, "the same pair without CURVE", curve / plain],
      ],
      figures: { typedDecodesPerSec: typed, bareDecodesPerSec: bare, checkedVsBare: typed / bare, roundTripsPerSec: pipelined, serialRoundTripsPerSec: serial, bareRoundTripsPerSec: plain, bareCurveRoundTripsPerSec: curve },
      notes: [`heartbeat frame: ${frames[1].length} bytes of msgpack, ${json.length} of JSON`],
      charts: [chart],
    };
  },
};
