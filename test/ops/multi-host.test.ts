// A realm spans hosts by config alone: three "hosts" made of network namespaces (test/harness/
// netns-hosts.ts), one realms.yaml naming each node's address on its host and, for every node not
// on the revivers' host, the `restart:` command that starts it there. The realm itself is driven
// from host A by test/fixtures/multi-host-realm.ts (the ops status wire, the login nodes and the
// revivers are only reachable there), run as a subtest inside A's namespace.
import { mkdirSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { makeNetwork, netnsUnavailable, processesOn, removeNetwork, type NetnsHost, type NetnsNetwork } from "../harness/netns-hosts.ts";
import type { MultiHostPlan } from "../fixtures/multi-host-realm.ts";
import { CLI, REPO, tempDir } from "../harness/realm.ts";
import { entrancesAtCentres, writeTestConfig } from "../harness/test-config.ts";

const SCENARIO = path.join(REPO, "test", "fixtures", "multi-host-realm.ts");
const TSX = import.meta.resolve("tsx");

/** A host's own folder: its nodes' data, logs and pid files (a real host has its own disk). */
const hostDir = (dir: string, host: NetnsHost): string => path.join(dir, "hosts", host.name);

/**
 * How the reviver on host A (re)starts a node on another host: what an ssh to that host would run,
 * here `ip netns exec`. Like ssh, it needs the host's cable: while the test has it pulled the command
 * fails and the node is left as it is. It kills what is left of the node's last run first (the whole
 * session: `realm node` and the node under it), as the reviver does to a node it spawned itself (a hung
 * node is still there), then starts `realm node <ID>` in a session of its own, so the command returns
 * at once (the reviver watches the node by its heartbeats, not by the command), output appended to
 * the node's log on its host.
 */
function restartCommand(net: NetnsNetwork, dir: string, host: NetnsHost, id: string, configFile: string): string {
  const home = hostDir(dir, host);
  const pidFile = path.join(home, `${id}.pid`);
  const node = `${process.execPath} ${CLI} node ${id} --config ${configFile} --data ${path.join(home, "data")}`;
  const restart = [
    `[ -s ${pidFile} ] && kill -9 -$(cat ${pidFile}) 2>/dev/null`,
    `ip netns exec ${host.ns} setsid -f sh -c 'echo $$ > ${pidFile}; exec ${node}' </dev/null >>${path.join(home, `${id}.log`)} 2>&1`,
  ].join("; ");
  const reachable = `ip -n ${net.bridgeNs} link show dev ${host.port} up | grep -q .`;
  return `if ${reachable}; then ${restart}; else echo "host ${host.name} unreachable: ${id} not restarted" >&2; exit 1; fi`;
}

const ADDRESS_KEYS = ["inbox", "pub", "http", "ws", "console", "metrics"];

/**
 * The shipped topology over the hosts. A: revivers, login nodes, PostgreSQL, and the backup node
 * (a replica on the database's own host would go down with it). B: the realm node beside the zones,
 * instances and database node it directs, all restarted together in a realm restart. C: client nodes.
 * A small world whose first zone is one cell wide, so a new character (at that zone's centre) is
 * over the border in a few seconds' walk.
 */
function placeNodes(dir: string, net: NetnsNetwork, configFile: string) {
  const [a, b, c] = net.hosts as [NetnsHost, NetnsHost, NetnsHost];
  const place = (node: Record<string, unknown>, host: NetnsHost): void => {
    for (const key of ADDRESS_KEYS) if (typeof node[key] === "string") node[key] = (node[key] as string).replace("127.0.0.1", host.address);
    if (host !== a) node.restart = restartCommand(net, dir, host, node.id as string, configFile);
  };
  return (doc: any): void => {
    for (const n of [...doc.login.nodes, ...doc.revivers]) place(n, a);
    for (const n of doc.client_nodes) place(n, c);
    for (const n of doc.instances.pool) place(n, b);
    const realm = doc.realms[0];
    for (const n of [realm.realm, realm.database, ...realm.zones]) place(n, b);
    place(realm.backup, a);
    realm.world = { width: 400, height: 400, cell: 50 };
    realm.zones[0].region = [0, 0, 50, 400];
    realm.zones[1].region = [50, 0, 400, 400];
    for (const z of realm.zones) z.npcs = 5;
    entrancesAtCentres(doc);
    // the zones' checkpoints are what a restarted zone brings its players back from
    realm.checkpoint_every = "1s";
  };
}

const cannot = netnsUnavailable();

t.test("multi-host - a realm over three namespace hosts: a zone killed on B comes back through its restart command, B's link cut for 5 s", { skip: cannot ?? false }, async (t) => {
  const net = await makeNetwork(["a", "b", "c"]);
  // registered first, so it runs first: nothing of the realm is left to write into the folder removed next
  t.teardown(() => removeNetwork(net));
  const dir = tempDir(t, "realm-multi-host-");
  for (const h of net.hosts) mkdirSync(path.join(hostDir(dir, h), "data"), { recursive: true });
  const configFile = path.join(dir, "realms.yaml");
  await writeTestConfig(dir, { edit: placeNodes(dir, net, configFile) });

  const plan: MultiHostPlan = { configFile, net, homes: Object.fromEntries(net.hosts.map((h) => [h.name, hostDir(dir, h)])) };
  const hostA = net.hosts[0]!;
  await t.spawn("ip", ["netns", "exec", hostA.ns, process.execPath, "--import", TSX, SCENARIO], { env: { ...process.env, REALM_MULTI_HOST: JSON.stringify(plan) }, cwd: REPO, timeout: 180_000 }, "the realm, driven from host A");
  t.same(processesOn(net), [], "once the realm stopped, no process is left on any host (PostgreSQL and the realm node wrappers included)");
});
