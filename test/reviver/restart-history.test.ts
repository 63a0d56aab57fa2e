// Each way a node dies (stuck in a loop, kill -9, ending by itself) is named exactly in the
// restart history, with the procedure of its kind and its time to recovery; the nodes that must
// act are told (NODE_DOWN / NODE_UP), anyone else saying so is refused; `realm status` shows the
// history, and a reviver taking over finds it in PostgreSQL.
import t from "tap";
import { isAlive, logFileOf } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { StatusReply } from "../../common/protocol/reviver.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { findNode } from "../../common/topology.ts";
import { procedureFor } from "../../nodes/reviver/procedures.ts";
import { readLogLines, type LogLine } from "../harness/node-process.ts";
import { runCli, TestRealm, until } from "../harness/realm.ts";

type Restart = StatusReply["nodes"][number]["history"][number];

t.test("reviver - each death named exactly, its kind's procedure taken and timed, its dependents told", async (t) => {
  const realm = await TestRealm.start(t);
  const first = await realm.waitAllUp(90_000);
  const spec = realm.config.realms[0]!;
  const zone = spec.zones[0]!.id;
  const client = realm.config.clientNodes[0]!.id;
  const realmNode = spec.realmNode.id;
  const log = (id: string): LogLine[] => readLogLines(logFileOf(realm.dataDir, id));
  const logged = (id: string, what: string, match: (l: LogLine) => boolean): Promise<LogLine> =>
    until(`${id} to log ${what}`, 10_000, () => log(id).find(match));
  const recoveries: string[] = [];
  const complaint = (l: LogLine): boolean =>
    l.event === "peer-hook-failed" || (["frame-unhandled", "frame-dropped", "handler-failed"].includes(l.event) && /NODE_(DOWN|UP)/.test(`${l.op} ${l.why}`));

  /** Harms the node, waits until it is back, checks the record of its restart and returns it. */
  const restartAfter = async (id: string, how: string, harm: (pid: number) => void, cause: string): Promise<Restart> => {
    const before = (await realm.node(id))!;
    harm(before.pid!);
    const reply = await realm.waitFor(`${id} back up after ${how}`, 30_000, (nodes) =>
      nodes.some((n) => n.id === id && n.state === "up" && n.pid !== before.pid && n.restarts > before.restarts),
    );
    const after = reply.nodes.find((n) => n.id === id)!;
    const last = after.history.at(-1)!;
    t.equal(after.restarts, before.restarts + 1, `${id} (${how}): one restart`);
    t.equal(last.cause, cause, `${id} (${how}): the cause is "${cause}"`);
    t.equal(last.procedure, procedureFor(findNode(realm.config, id)!).name, `${id}: the procedure of its kind`);
    t.ok(last.recoveredMs !== undefined && last.recoveredMs > 0, `${id}: time from found down to its first heartbeat (${last.recoveredMs} ms)`);
    t.notOk(isAlive(before.pid!), `${id}: the old process is gone`);
    recoveries.push(`${id} ${how}: ${last.recoveredMs} ms`);
    return last;
  };

  await restartAfter(zone, "stuck in a loop", (pid) => process.kill(pid, "SIGUSR2"), "missed heartbeats (1.5 s)");
  t.ok(log(zone).some((l) => l.event === "test-hook-busy-loop"), "the zone did spin (REALM_TEST_HOOKS=1 reached it)");
  await logged(realmNode, "the zone down", (l) => l.event === "peer-down" && l.nodeId === zone && l.cause === "missed heartbeats (1.5 s)");
  await logged(realmNode, "the zone up", (l) => l.event === "peer-up" && l.nodeId === zone && typeof l.downMs === "number");

  const clientDown = await restartAfter(client, "kill -9", (pid) => process.kill(pid, "SIGKILL"), "signal SIGKILL");
  const lost = await logged(realmNode, "the client node out of placement", (l) => l.event === "client-node-lost" && l.clientNode === client);
  t.equal(lost.why, "reviver: signal SIGKILL", "placement dropped the client node on the reviver's word, not after 2.5 s of silence");
  t.comment(`${client} out of placement ${Date.parse(lost.t) - clientDown.at} ms after the reviver found it down`);

  // SIGTERM: the node stops gracefully and exits by itself, with code 0
  await restartAfter(spec.backup.id, "ending by itself", (pid) => process.kill(pid, "SIGTERM"), "exit code 0");
  const toldOfBackup = await logged(first.reviver, "whom it told of the backup", (l) => l.event === "node-down-told" && l.id === spec.backup.id);
  t.same(toldOfBackup.to, [], "a backup node's death concerns no other node (logged only)");

  await restartAfter(spec.database.id, "kill -9", (pid) => process.kill(pid, "SIGKILL"), "signal SIGKILL");
  const dependents = [realmNode, ...spec.zones.map((z) => z.id), ...realm.config.clientNodes.map((c) => c.id)];
  for (const id of dependents) {
    const down = await logged(id, "the database down", (l) => l.event === "peer-down" && l.nodeId === spec.database.id);
    t.match(down, { kind: "database", realm: spec.name, cause: "signal SIGKILL", from: first.reviver }, `${id} was told the database went down`);
    await logged(id, "the database up", (l) => l.event === "peer-up" && l.nodeId === spec.database.id);
    t.notOk(log(id).some(complaint), `${id} took NODE_DOWN / NODE_UP without a complaint`);
  }
  t.notOk(log(spec.backup.id).some((l) => l.event === "peer-down"), "the backup node was not told (it does not act on it)");

  // only a reviver may say a node died: a stranger's word, or a malformed one, changes nothing
  const stranger = realmWire(realm.config, `test-${process.pid}`, createLog("test", "error"));
  t.teardown(() => stranger.close());
  const other = realm.config.clientNodes[1]!.id;
  const realmPid = (await realm.node(realmNode))!.pid;
  stranger.send(realmNode, Op.NODE_DOWN, { nodeId: other, kind: "client", cause: "signal SIGKILL", at: Date.now() });
  stranger.send(realmNode, Op.NODE_DOWN, { nodeId: other, kind: "toaster" } as unknown as Body<typeof Op.NODE_DOWN>);
  await logged(realmNode, "the stranger refused", (l) => l.event === "peer-event-refused" && l.nodeId === other);
  await logged(realmNode, "the malformed frame dropped", (l) => l.event === "frame-dropped" && String(l.why).startsWith("NODE_DOWN body"));
  t.notOk(log(realmNode).some((l) => l.event === "client-node-lost" && l.clientNode === other), `${other} stays in placement`);
  const still = (await realm.node(realmNode))!;
  t.match(still, { state: "up", pid: realmPid }, "the realm node serves on");

  const victims = [zone, client, spec.backup.id, spec.database.id];
  const text = runCli(["status", "--config", realm.configFile]);
  t.equal(text.code, 0, text.stderr);
  const restartsAt = text.stdout.indexOf("\nRestarts");
  t.ok(restartsAt > 0, "a Restarts table under the nodes");
  const rows = text.stdout.slice(restartsAt + 1).split("\n");
  t.match(rows[1] ?? "", /^TIME\s+NODE\s+CAUSE\s+UP AGAIN\s+PROCEDURE$/);
  for (const [id, cause] of [[zone, "missed heartbeats (1.5 s)"], [client, "signal SIGKILL"], [spec.backup.id, "exit code 0"], [spec.database.id, "signal SIGKILL"]] as const) {
    const row = rows.find((r) => r.includes(` ${id} `));
    t.ok(row?.includes(cause) && row.includes(procedureFor(findNode(realm.config, id)!).name) && /\d\.\d\d s/.test(row), `${id}: "${row}"`);
  }
  const json = runCli(["status", "--json", "--config", realm.configFile]);
  const status = JSON.parse(json.stdout) as { nodes: { id: string; history: { cause: string; procedure: string; recoveredMs: number | null }[] }[] };
  for (const id of victims) {
    const h = status.nodes.find((n) => n.id === id)?.history.at(-1);
    t.ok(typeof h?.recoveredMs === "number", `--json: ${id}'s restart carries recoveredMs (${h?.recoveredMs})`);
  }

  // the history (recovery times included) lives in PostgreSQL: the next leader shows the same
  const seen = await realm.waitAllUp(10_000);
  const leader = seen.nodes.find((n) => n.id === seen.reviver)!;
  process.kill(leader.pid!, "SIGKILL");
  const next = await realm.waitFor("the other reviver to lead", 15_000, (_nodes, reply) => reply.reviver !== leader.id);
  for (const id of victims) {
    const was = seen.nodes.find((n) => n.id === id)!;
    const now = next.nodes.find((n) => n.id === id)!;
    t.equal(now.restarts, was.restarts, `${id}: the new leader counts the same restarts`);
    t.same(
      now.history.map((h) => [h.cause, h.procedure, h.recoveredMs]),
      was.history.map((h) => [h.cause, h.procedure, h.recoveredMs]),
      `${id}: the same causes, procedures and recovery times`,
    );
  }
  t.comment(`found down to first heartbeat after the restart: ${recoveries.join("; ")}`);

  const { leftovers } = await realm.stop();
  t.same(leftovers, [], "nothing left running");
});
