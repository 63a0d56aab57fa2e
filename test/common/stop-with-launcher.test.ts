// What a test or a benchmark starts stops when that process is killed -9 (a runner's timeout does
// it, and then no teardown runs): its nodes, and a whole `realm start` with its revivers, nodes and
// PostgreSQL. A reviver's nodes are the other way: they outlive it, for the other reviver to adopt.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import t from "tap";
import { isAlive, lastEvent } from "../../common/launch.ts";
import { loadConfig } from "../../config/load.ts";
import { pidFile } from "../../ops/start.ts";
import { opsWire, queryStatus } from "../../ops/status.ts";
import { REPO, tempDir, until } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

const TSX = import.meta.resolve("tsx");
const LAUNCHER = path.join(REPO, "test", "fixtures", "launcher.ts");

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** Runs the launcher fixture; resolves with its pid and the pid of what it launched. */
async function launcher(t: Teardown, args: string[]): Promise<{ launcher: number; launched: number }> {
  const child = spawn(process.execPath, ["--import", TSX, LAUNCHER, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  const { pid } = JSON.parse(line) as { pid: number };
  t.teardown(() => {
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  });
  return { launcher: child.pid!, launched: pid };
}

const ZONE = "FORTRAX-ZONE-1";

/** Launches the zone node from a launcher (`stop`: with stopWithLauncher), waits until it runs, kills the launcher -9. */
async function zoneOrphaned(t: Teardown, mode: "stop" | "outlive"): Promise<{ dataDir: string; launched: number }> {
  const configFile = await writeTestConfig(tempDir(t, "stop-with-launcher-"));
  const { dataDir } = loadConfig(configFile);
  const { launcher: pid, launched } = await launcher(t, [configFile, "node", ZONE, mode]);
  await until(`${ZONE} to start`, 30_000, () => (lastEvent(dataDir, ZONE, "node-up") ? true : undefined));
  process.kill(pid, "SIGKILL");
  return { dataDir, launched };
}

t.test("a node a test launched stops, cleanly, once that test process is killed -9", async (t) => {
  const { dataDir, launched } = await zoneOrphaned(t, "stop");
  await until(`${ZONE} to stop after its launcher's death`, 10_000, () => (isAlive(launched) ? undefined : true));
  t.equal(lastEvent(dataDir, ZONE, "node-stopped")?.reason, "launcher gone", "it stopped as on SIGTERM, saying why");
});

t.test("a node a reviver launched outlives it", async (t) => {
  const { dataDir, launched } = await zoneOrphaned(t, "outlive");
  // three times the one-second check
  await new Promise((r) => setTimeout(r, 3000));
  t.ok(isAlive(launched), "still running 3 s after its launcher's kill -9");
  t.equal(lastEvent(dataDir, ZONE, "node-stopping"), undefined, "and never began to stop");
});

t.test("a realm a test started stops whole once that test process is killed -9, PostgreSQL included", async (t) => {
  const configFile = await writeTestConfig(tempDir(t, "stop-with-launcher-"));
  const config = loadConfig(configFile);
  const wire = opsWire(config);
  t.teardown(() => wire.close());
  const { launcher: pid, launched } = await launcher(t, [configFile, "realm"]);
  const up = await until("every node up", 90_000, async () => {
    const reply = await queryStatus(config, wire, 500);
    return reply?.leader && reply.nodes.length > 0 && reply.nodes.every((n) => n.state === "up") ? reply : undefined;
  });
  const postmaster = Number(readFileSync(path.join(config.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  const pids = [launched, postmaster, ...up.nodes.map((n) => n.pid!)];
  t.teardown(() => {
    for (const p of pids.filter(isAlive)) process.kill(p, "SIGKILL");
  });
  process.kill(pid, "SIGKILL");
  await until("every process of the realm to end", 60_000, () => (pids.some(isAlive) ? undefined : true));
  t.pass(`realm start, its ${up.nodes.length} nodes and PostgreSQL are gone`);
  t.notOk(existsSync(pidFile(config.dataDir)), "realm start stopped the realm as on SIGTERM: the last step removed its pid file");
});
