// The shipped realms.yaml (on free ports) comes up whole and goes away whole.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import t from "tap";
import { allNodes } from "../../common/topology.ts";
import { loadConfig } from "../../config/load.ts";
import { RealmProcess } from "../../ops/realm-process.ts";
import { pidFile } from "../../ops/start.ts";
import { runCli, tempDir, TestRealm, until } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

function portOf(address: string): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?(.+):(\d+)$/.exec(address);
  if (!m) throw new Error(`not an address: ${address}`);
  return { host: m[1] ?? "", port: Number(m[2]) };
}

async function isBound(host: string, port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

t.test("realm start - every node of the shipped realms.yaml is up within 20 s, and stop leaves nothing", async (t) => {
  const realm = await TestRealm.start(t);
  const reply = await realm.waitAllUp(20_000);
  const ms = Date.now() - realm.startedAt;
  t.comment(`all ${reply.nodes.length} nodes up ${ms} ms after realm start`);
  t.equal(reply.nodes.length, allNodes(realm.config).length, "status lists every configured node");
  t.same(new Set(reply.nodes.map((n) => n.kind)), new Set(["reviver", "login", "realm", "client", "zone", "instance", "database", "backup"]));

  const cli = runCli(["status", "--json", "--config", realm.configFile]);
  t.equal(cli.code, 0, cli.stderr);
  const json = JSON.parse(cli.stdout) as { nodes: Record<string, unknown>[] };
  for (const n of json.nodes) {
    for (const key of ["id", "kind", "realm", "state", "pid", "restarts", "heartbeatAgeMs"]) t.ok(key in n, `status --json has ${key} for ${String(n.id)}`);
    t.equal(n.state, "up");
    t.type(n.pid, "number");
    t.ok((n.heartbeatAgeMs as number) < 1500, `${String(n.id)} heard from recently`);
  }
  const zone = json.nodes.find((n) => n.kind === "zone") as { vitals: Record<string, number> };
  t.ok(zone.vitals.ticks! > 0 && "tickP99Ms" in zone.vitals, "zone vital signs carry tick figures");

  const addresses = allNodes(realm.config).flatMap((n) => [n.inbox, ...("pub" in n ? [n.pub] : [])]);
  for (const n of realm.config.login.nodes) addresses.push(`${n.http.host}:${n.http.port}`);
  for (const n of realm.config.clientNodes) addresses.push(`${n.ws.host}:${n.ws.port}`);

  const { leftovers } = await realm.stop();
  t.equal(realm.process.exitCode, 0, "realm start exits 0 after SIGTERM");
  t.same(leftovers, [], "no node process is left running");
  for (const a of addresses) {
    const { host, port } = portOf(a);
    t.notOk(await isBound(host, port), `${a} is free again`);
  }
});

t.test("realm start - a wait for a realm that never comes up says how far realm start got", async (t) => {
  const configFile = await writeTestConfig(tempDir(t));
  const { dataDir } = loadConfig(configFile);
  // this test process plays a realm already running from that data dir, so realm start refuses
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(pidFile(dataDir), `${process.pid}\n`);
  const realm = RealmProcess.launch(configFile);
  t.teardown(() => realm.stop());
  const err = (await realm.waitAllUp(3000).catch((e: unknown) => e)) as Error;
  t.match(err.message, /no reviver answered; realm start exited \(\d+\); its last lines:\n(.|\n)*a realm already runs from/, err.message);
});

/** Processes whose command line names `dir` (the realm's nodes, realm start, PostgreSQL's postmaster). */
function processesMentioning(dir: string): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        return cmd.includes(dir) ? [`${pid} ${cmd.trim()}`] : [];
      } catch {
        return [];
      }
    });
}

t.test("realm start - SIGTERM while PostgreSQL starts: it is stopped once up, no reviver is launched, nothing is left", async (t) => {
  const dir = tempDir(t);
  const realm = RealmProcess.launch(await writeTestConfig(dir));
  t.teardown(() => realm.stop());
  await until("realm start to begin PostgreSQL's initdb", 30_000, () => (realm.output.includes("postgres-initialising") ? true : undefined));
  realm.process.kill("SIGTERM");
  await until("realm start to exit", 60_000, () => (realm.process.exitCode !== null || realm.process.signalCode !== null ? true : undefined));
  t.equal(realm.process.exitCode, 0, "realm start exits cleanly");
  t.notMatch(realm.output, /reviver-launched/, "no reviver was launched");
  t.match(realm.output, /postgres-stopped/, "PostgreSQL was stopped");
  t.same(processesMentioning(dir), [], "no process of the realm is left");
});
