// Logins per second through both login nodes of a real realm, with the shipped scrypt cost,
// side by side with what scrypt alone allows on this machine: the hash is the login's price,
// so the end-to-end rate should come close to (cores x 1000 / ms per hash) and no further.
import { availableParallelism } from "node:os";
import { AccountStore } from "../../common/accounts/accounts.ts";
import { hashPassword, SHIPPED_SCRYPT } from "../../common/accounts/passwords.ts";
import { fetchPool } from "../../common/fetch-pool.ts";
import { fetchJson, fieldOf } from "../../common/json-fetch.ts";
import { createPool } from "../../common/postgres/connect.ts";
import { loginNodeUrl, type RealmsConfig } from "../../common/topology.ts";
import { plot, type Bench, type Cell, type Chart } from "./bench.ts";
import { startBenchRealm } from "./bench-realm.ts";
import { rankOf } from "../../common/percentile.ts";

const PASSWORD = "bench password 1";
const ACCOUNTS = 32;
/** Logins in flight for the headline rate (below ACCOUNTS, so logins of one account rarely overlap). */
const IN_FLIGHT = 16;

async function everyLoginNodeListsUp(config: RealmsConfig): Promise<boolean> {
  for (const node of config.login.nodes) {
    const r = await fetchJson(loginNodeUrl(node, "/realms"));
    const realms = fieldOf(r.body, "realms");
    if (r.status !== 200 || !Array.isArray(realms) || !realms.every((x) => fieldOf(x, "status") === "up")) return false;
  }
  return true;
}

/** `inFlight` callers hashing at once for `ms`: hashes per second through the libuv pool. */
async function hashRate(ms: number, inFlight: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await hashPassword(PASSWORD, SHIPPED_SCRYPT);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - start);
}

const percentile = (sorted: number[], p: number): number => rankOf(sorted, p / 100) ?? NaN;

export const loginBench: Bench = {
  name: "login",
  about: "end-to-end logins/s through both login nodes (shipped scrypt cost) vs what scrypt alone allows on this machine",
  async run(ctx) {
    const ms = ctx.quick ? 3000 : 10_000;
    const cores = availableParallelism();
    ctx.progress("scrypt alone");
    const serial: number[] = [];
    for (let i = 0; i < (ctx.quick ? 4 : 12); i++) {
      const at = performance.now();
      await hashPassword(PASSWORD, SHIPPED_SCRYPT);
      serial.push(performance.now() - at);
    }
    serial.sort((a, b) => a - b);
    const msPerHash = percentile(serial, 50);
    const poolRate = await hashRate(ctx.quick ? 1500 : 4000, cores);
    const theoretical = (cores * 1000) / msPerHash;
    // the curve: logins with 1..IN_FLIGHT in flight beside scrypt alone with as many in flight
    const inFlights = ctx.quick ? [1, IN_FLIGHT] : [1, 4, IN_FLIGHT];
    const hashesAt = new Map<number, number>();
    for (const n of inFlights) {
      ctx.progress(`scrypt alone, ${n} in flight`);
      hashesAt.set(n, await hashRate(ctx.quick ? 1500 : 4000, n));
    }

    ctx.progress("starting a realm (embedded PostgreSQL, every node)");
    const realm = await startBenchRealm(() => {}, everyLoginNodeListsUp);
    const logins = fetchPool({ connections: 64 });
    try {
      ctx.progress(`creating ${ACCOUNTS} accounts at the shipped cost`);
      const pool = createPool(realm.postgresUrl, 4);
      const store = new AccountStore(pool);
      const names = Array.from({ length: ACCOUNTS }, (_, i) => `Bencher${i}`);
      await Promise.all(names.map((n) => store.create(n, PASSWORD, "bench", SHIPPED_SCRYPT)));
      await pool.end();
      const nodes = realm.config.login.nodes;
      const loginOnce = async (i: number): Promise<number> => {
        const at = performance.now();
        const body = { username: names[i % names.length], password: PASSWORD, realm: realm.config.realms[0]!.name };
        const r = await fetchJson(loginNodeUrl(nodes[i % nodes.length]!, "/login"), { method: "POST", body, transport: logins.transport });
        if (r.status !== 200) throw new Error(`login answered ${r.status}: ${r.text}`);
        return performance.now() - at;
      };

      const chart: Chart = { name: "logins", title: "Logins per second vs logins in flight (shipped scrypt cost)", x: { label: "logins in flight", log: true }, y: { label: "per second" }, series: [] };
      const curveRows: Cell[][] = [];
      let one: number[] = [];
      let latencies: number[] = [];
      let perSecond = 0;
      for (const inFlight of inFlights) {
        ctx.progress(`${inFlight} logins in flight over both login nodes for ${ms / 1000} s`);
        const took: number[] = [];
        let next = 0;
        const end = performance.now() + ms;
        const start = performance.now();
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (performance.now() < end) took.push(await loginOnce(next++));
          }),
        );
        const rateNow = (took.length * 1000) / (performance.now() - start);
        took.sort((a, b) => a - b);
        const hashes = hashesAt.get(inFlight)!;
        curveRows.push([`logins/s end to end, ${inFlight} in flight`, rateNow, hashes, `scrypt alone, ${inFlight} in flight, one process`, rateNow / hashes]);
        plot(chart, "logins/s end to end, 2 login nodes", inFlight, rateNow);
        plot(chart, "scrypt alone, as many in flight", inFlight, hashes);
        plot(chart, `ceiling: ${cores} cores x 1000 / ms per hash`, inFlight, theoretical);
        if (inFlight === 1) one = took;
        if (inFlight !== IN_FLIGHT) continue;
        latencies = took;
        perSecond = rateNow;
      }
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      const ceiling = `scrypt-only ceiling: ${cores} cores x 1000 / ${msPerHash.toFixed(1)} ms`;
      return {
        columns: ["measure", "ours", "baseline", "baseline is", "ours / baseline"],
        rows: [
          [`logins/s end to end, both login nodes, ${IN_FLIGHT} in flight`, perSecond, theoretical, ceiling, perSecond / theoretical],
          ["scrypt hashes/s in one process, one per core in flight", poolRate, theoretical, ceiling, poolRate / theoretical],
          ["ms per login, one at a time (p50)", percentile(one, 50), msPerHash, "one scrypt hash alone (p50)", percentile(one, 50) / msPerHash],
          ...curveRows,
        ],
        figures: {
          loginsPerSec: perSecond,
          scryptMsPerHash: msPerHash,
          scryptHashesPerSec: poolRate,
          scryptCeilingPerSec: theoretical,
          serialLoginMs: percentile(one, 50),
          loginP50Ms: p50,
          loginP99Ms: p99,
        },
        notes: [
          `scrypt N=2^${Math.log2(SHIPPED_SCRYPT.N)}, r=${SHIPPED_SCRYPT.r}, p=${SHIPPED_SCRYPT.p}; ${cores} cores; ${latencies.length} logins in ${(ms / 1000).toFixed(0)} s, latency p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms.`,
          "The whole realm (13 nodes, PostgreSQL) shares the machine with the benchmark's own HTTP client.",
        ],
        charts: [chart],
      };
    } finally {
      await logins.destroy();
      ctx.progress("stopping the realm");
      await realm.stop();
    }
  },
};
