import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { ConfigError } from "../../common/errors.ts";
import { loadConfig, parseConfig } from "../../config/load.ts";
import { allNodes, START_ORDER, type ClientNodeSpec, type RealmsConfig } from "../../common/topology.ts";
import { freePorts } from "../harness/free-ports.ts";
import { remapPorts, SHIPPED_CONFIG, writeTestConfig } from "../harness/test-config.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const TWO_REALMS = join(repo, "config/examples/two-realms.yaml");
const FIXTURES = join(repo, "test/fixtures/bad-config");

/** Every address a config binds, as written (http/ws rebuilt as host:port). */
function addresses(cfg: RealmsConfig): string[] {
  return allNodes(cfg).flatMap((n) => {
    switch (n.kind) {
      case "login":
        return [n.inbox, `${n.http.host}:${n.http.port}`];
      case "client":
        return [n.inbox, `${n.ws.host}:${n.ws.port}`];
      case "zone":
      case "instance":
        return [n.inbox, n.pub];
      default:
        return [n.inbox];
    }
  });
}
const portOf = (address: string): number => Number(/:(\d+)$/.exec(address)?.[1]);

/** The problems parseConfig reports, or none if it does not throw a ConfigError. */
function problemsOf(text: string, file: string): ConfigError["problems"] {
  try {
    parseConfig(text, file);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

t.test("config - the shipped realms.yaml loads with the single-machine topology", async (t) => {
  const cfg = loadConfig(SHIPPED_CONFIG);
  t.equal(cfg.file, SHIPPED_CONFIG);
  t.equal(cfg.dataDir, join(repo, "var"));
  t.equal(cfg.login.nodes.length, 2);
  t.equal(cfg.login.register, true, "the shipped realm is for trying out: registration on");
  t.same(cfg.mesh, { keys: join(repo, "var", "keys") }, "CURVE on, keys under the data dir");
  t.equal(cfg.revivers.length, 2);
  t.equal(cfg.clientNodes.length, 2);
  t.equal(cfg.instances.pool.length, 2);
  t.equal(cfg.instances.maxPlayers, 40);
  t.equal(cfg.realms.length, 1);
  const [fortrax] = cfg.realms;
  t.match(fortrax, {
    name: "Fortrax",
    playerCap: 2000,
    tickHz: 20,
    world: { width: 4000, height: 4000, cell: 50 },
    database: { id: "FORTRAX-DB", realm: "Fortrax", flushMs: 250 },
    backup: { id: "FORTRAX-BACKUP", everyMs: 600_000, keep: 48 },
  });
  t.same(
    fortrax?.zones.map((z) => z.region),
    [
      [0, 0, 2000, 4000],
      [2000, 0, 4000, 4000],
    ],
  );
  t.same(
    fortrax?.dungeons,
    [
      { name: "crypt-gate", kind: "crypt", at: [1000, 2000], radius: 15 },
      { name: "old-mine", kind: "mine", at: [3000, 2000], radius: 10 },
    ],
    "two dungeon entrances, the radius 10 unless given",
  );
  t.same(cfg.login.nodes[0]?.http, { host: "127.0.0.1", port: 7000 });
  t.equal(cfg.login.nodes[0]?.realm, undefined);

  const all = addresses(cfg);
  t.equal(all.length, 21);
  t.equal(new Set(all.map(portOf)).size, all.length, "no port is used twice");
  t.ok(all.every((a) => /^(tcp:\/\/)?127\.0\.0\.1:7\d{3}$/.test(a)), "all on 127.0.0.1, ports 7000-7999");

  // Each node's line is the line where its map is written.
  const lines = readFileSync(SHIPPED_CONFIG, "utf8").split("\n");
  for (const n of allNodes(cfg)) t.match(lines[n.line - 1], `id: ${n.id},`, `${n.id} is declared at line ${n.line}`);
});

t.test("config - two-realms.yaml loads both realms with their own settings and defaults", async (t) => {
  const cfg = loadConfig(TWO_REALMS);
  t.equal(cfg.dataDir, join(repo, "config/examples/var-two-realms"), "data_dir is relative to the file's folder");
  t.same(cfg.mesh, { keys: join(repo, "config/examples/var-two-realms/keys") }, "mesh.keys is relative to the file's folder too");
  t.same(
    cfg.realms.map((r) => [r.name, r.zones.length, r.tickHz, r.playerCap, r.backup.everyMs, r.backup.keep, r.database.flushMs]),
    [
      ["Fortrax", 2, 20, 2000, 600_000, 48, 250],
      ["Velmor", 4, 30, 500, 1_800_000, 24, 100],
    ],
  );
  t.ok(cfg.realms[1]?.zones.every((z) => z.realm === "Velmor"));
  t.equal(cfg.instances.pool.length, 3);
  const shipped = new Set(addresses(loadConfig(SHIPPED_CONFIG)).map(portOf));
  t.notOk(addresses(cfg).some((a) => shipped.has(portOf(a))), "can run beside the default realm");
});

t.test("config - allNodes lists revivers first, then kinds in START_ORDER", async (t) => {
  t.same(
    allNodes(loadConfig(SHIPPED_CONFIG)).map((n) => n.id),
    [
      ...["REVIVER-1", "REVIVER-2", "FORTRAX-DB", "FORTRAX-BACKUP", "FORTRAX-REALM", "FORTRAX-ZONE-1", "FORTRAX-ZONE-2"],
      ...["INSTANCE-1", "INSTANCE-2", "CLIENT-1", "CLIENT-2", "LOGIN-1", "LOGIN-2"],
    ],
  );
  const kinds = allNodes(loadConfig(TWO_REALMS)).map((n) => n.kind);
  t.same([...new Set(kinds)], ["reviver", ...START_ORDER]);
  const rank = kinds.map((k) => (k === "reviver" ? -1 : START_ORDER.indexOf(k)));
  t.ok(
    rank.every((r, i) => i === 0 || (rank[i - 1] ?? 0) <= r),
    "kinds never go back",
  );
});

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

t.test("config - every bad fixture gives exactly one problem, at the expected line", async (t) => {
  t.ok(fixtures.length >= 14, `${fixtures.length} fixtures`);
  for (const name of fixtures) {
    t.test(name, async (t) => {
      const text = readFileSync(join(FIXTURES, name), "utf8");
      const expect = /^# expect: (\d+):? (.+)$/m.exec(text.split("\n")[0] ?? "");
      if (!expect) {
        t.fail(`${name} must start with "# expect: <line> <text>"`);
        return;
      }
      const file = `bad-config/${name}`;
      const problems = problemsOf(text, file);
      t.equal(problems.length, 1, problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.problem}`).join("\n"));
      const [p] = problems;
      t.equal(p?.line, Number(expect[1]));
      const message = new ConfigError(problems).message;
      t.ok(message.startsWith(`${file}:${expect[1]} `), message);
      t.ok(message.includes(expect[2] ?? "?"), `${JSON.stringify(message)} contains ${JSON.stringify(expect[2])}`);
    });
  }
});

t.test("config - all semantic problems are reported together, in line order", async (t) => {
  const text = readFileSync(SHIPPED_CONFIG, "utf8")
    .replace("id: LOGIN-2,", "id: LOGIN-1,")
    .replace("every: 10m", "every: soon")
    .replace("[2000, 0, 4000, 4000]", "[1000, 0, 4000, 3000]");
  const problems = problemsOf(text, "realms.yaml");
  t.same(
    problems.map((p) => p.path),
    ["login.nodes[1].id", "realms[0].backup.every", "realms[0].zones", "realms[0].zones[1].region"],
  );
  t.match(problems[2]?.problem, "leaves (2000,3000)-(4000,4000) uncovered", "names the uncovered area");
  t.ok(problems.every((p, i) => i === 0 || (problems[i - 1]?.line ?? 0) <= p.line));
});

t.test("config - zone borders must fall on cell borders", async (t) => {
  const text = readFileSync(SHIPPED_CONFIG, "utf8").replace("[0, 0, 2000, 4000]", "[0, 0, 2025, 4000]").replace("[2000, 0,", "[2025, 0,");
  const problems = problemsOf(text, "realms.yaml");
  t.same(
    problems.map((p) => `${p.path}: ${p.problem}`),
    [
      "realms[0].zones[0].region: [0, 0, 2025, 4000] has edges that are not multiples of cell 50",
      "realms[0].zones[1].region: [2025, 0, 4000, 4000] has edges that are not multiples of cell 50",
    ],
  );
});

t.test("config - a problem under a YAML alias points at the alias", async (t) => {
  const aliased = readFileSync(TWO_REALMS, "utf8")
    .replace("    zones:\n      - { id: FORTRAX-ZONE-1", "    zones: &zones\n      - { id: FORTRAX-ZONE-1")
    .replace(/    zones:\n(      - \{ id: VELMOR-.*\n)+/, "    zones: *zones\n");
  const problems = problemsOf(aliased, "two.yaml");
  const line = aliased.split("\n").indexOf("    zones: *zones") + 1;
  t.ok(line > 0);
  // Velmor reuses Fortrax's zones: same ids, same addresses, regions outside its smaller world.
  t.match(problems[0], { line, path: "realms[1].zones[0].id", problem: "duplicate node id FORTRAX-ZONE-1" });
  t.ok(problems.length > 1 && problems.every((p) => p.line === line && p.path.startsWith("realms[1].zones[")));
});

t.test("config - a missing file is a ConfigError naming the file", async (t) => {
  t.throws(() => loadConfig("no/such/realms.yaml"), { name: "ConfigError", message: /^no\/such\/realms\.yaml:1 cannot read/ });
});

t.test("config - writeTestConfig gives a loadable file on fresh, distinct ports", async (t) => {
  const dir = t.testdir();
  const file = await writeTestConfig(dir);
  t.equal(file, join(dir, "realms.yaml"));
  const cfg = loadConfig(file);
  t.equal(cfg.dataDir, join(dir, "var"));
  const shipped = loadConfig(SHIPPED_CONFIG);
  t.equal(allNodes(cfg).length, allNodes(shipped).length);
  const ports = addresses(cfg).map(portOf);
  t.equal(ports.length, addresses(shipped).length);
  t.equal(new Set(ports).size, ports.length, "all ports distinct");
  const shippedPorts = new Set(addresses(shipped).map(portOf));
  t.notOk(ports.some((p) => shippedPorts.has(p)), "none of the shipped ports");

  const edited = await writeTestConfig(join(dir, "two"), {
    from: TWO_REALMS,
    edit: (doc) => (doc.realms[1].tick_hz = 60),
  });
  t.same(
    loadConfig(edited).realms.map((r) => r.tickHz),
    [20, 60],
  );
});

t.test("config - metrics addresses: off unless given, host:port, a port of their own, remapped in test copies", async (t) => {
  // the shipped file parsed only (nothing here listens): the metrics ports are free ones of this run,
  // and the clash is with CLIENT-1's own ws address, whatever the shipped file gives it
  const [m1, m2] = (await freePorts(2)) as [number, number];
  const shippedText = readFileSync(SHIPPED_CONFIG, "utf8");
  const [c1, c2] = parseConfig(shippedText, "realms.yaml").clientNodes as [ClientNodeSpec, ClientNodeSpec];
  const ws1 = `${c1.ws.host}:${c1.ws.port}`;
  const text = shippedText
    .replace(`{ id: CLIENT-1, ws: ${ws1},`, `{ id: CLIENT-1, metrics: 127.0.0.1:${m1}, ws: ${ws1},`)
    .replace(`{ id: CLIENT-2, ws: ${c2.ws.host}:${c2.ws.port},`, `{ id: CLIENT-2, metrics: ${ws1}, ws: ${c2.ws.host}:${c2.ws.port},`);
  const problems = problemsOf(text, "realms.yaml");
  const wsLine = text.split("\n").findIndex((l) => l.includes("id: CLIENT-1,")) + 1;
  t.same(
    problems.map((p) => `${p.path}: ${p.problem}`),
    [`client_nodes[1].metrics: ${ws1} is already used by CLIENT-1 ws (line ${wsLine}): each address needs its own port`],
  );
  const cfg = parseConfig(text.replace(`metrics: ${ws1},`, `metrics: 127.0.0.1:${m2},`), "realms.yaml");
  t.same(cfg.clientNodes.map((c) => c.metrics), [{ host: "127.0.0.1", port: m1 }, { host: "127.0.0.1", port: m2 }]);
  t.equal(cfg.realms[0]?.zones[0]?.metrics, undefined, "no listener unless the node has a metrics address");

  // a test copy of a file naming the shipped ws address as metrics gets a port of this run instead
  const doc = { client_nodes: [{ id: "CLIENT-1", metrics: ws1 }] };
  await remapPorts(doc);
  t.match(doc.client_nodes[0]?.metrics, /^127\.0\.0\.1:\d+$/);
  t.not(doc.client_nodes[0]?.metrics, ws1, "test copies give metrics addresses free ports");
});
