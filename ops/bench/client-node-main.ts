// The entry of one simulated client node (see client-nodes.ts): connects its sink, prints `ready`,
// waits for a line on stdin so that every node starts its ticks at once, then prints its result.
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { clientTicks, sink } from "./client-bench.ts";

const players = Number(process.argv[2]);
const ticks = Number(process.argv[3]);
if (!Number.isInteger(players) || players < 1 || !Number.isInteger(ticks) || ticks < 1) {
  process.stderr.write(`usage: client-node-main.ts <players> <ticks>; got ${JSON.stringify(process.argv.slice(2))}\n`);
  process.exit(2);
}
const conn = await sink(players);
process.stdout.write("ready\n");
await once(process.stdin, "data");
const cpuBefore = process.cpuUsage();
const began = performance.now();
const r = await clientTicks(players, ticks, "ours", { sockets: conn.sockets });
const cpu = process.cpuUsage(cpuBefore);
const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - began);
await conn.close();
process.stdout.write(JSON.stringify({ p50: r.p50, p99: r.p99, cpuShare }) + "\n");
process.exit(0);
