// The reviver brings back any node killed with SIGKILL, and a second reviver takes over when
// the leader dies, without touching the nodes that run.
import t from "tap";
import { isAlive } from "../../common/launch.ts";
import type { NodeStatus } from "../../common/protocol/reviver.ts";
import { TestRealm } from "../harness/realm.ts";

const RECOVERY_MS = 3000;

t.test("reviver - kill -9 of any node kind brings it back up within 3 s, and a leader's death hands over", async (t) => {
  const realm = await TestRealm.start(t);
  const first = await realm.waitAllUp(90_000);
  const leaderId = first.reviver;
  const follower = first.nodes.find((n) => n.kind === "reviver" && n.id !== leaderId)!;
  const victims: NodeStatus[] = [];
  for (const kind of ["database", "backup", "realm", "zone", "instance", "client", "login"]) {
    victims.push(first.nodes.find((n) => n.kind === kind)!);
  }
  victims.push(follower);

  const times: string[] = [];
  for (const victim of victims) {
    const before = (await realm.node(victim.id))!;
    process.kill(before.pid!, "SIGKILL");
    const killedAt = Date.now();
    const reply = await realm.waitFor(`${victim.id} back up`, 10_000, (nodes) => {
      const n = nodes.find((x) => x.id === victim.id);
      return n !== undefined && n.state === "up" && n.pid !== before.pid && n.restarts >= before.restarts + 1;
    });
    const ms = Date.now() - killedAt;
    const after = reply.nodes.find((n) => n.id === victim.id)!;
    const restart = after.history.at(-1);
    times.push(`${victim.kind} ${ms} ms (found down to first heartbeat ${restart?.recoveredMs} ms)`);
    t.ok(ms <= RECOVERY_MS, `${victim.id} (${victim.kind}) up again ${ms} ms after kill -9`);
    // the leader spawned every node but the other reviver (`realm start` did): that one it watches by its pid
    if (victim.kind === "reviver") t.match(restart?.cause ?? "", /^process gone \(pid \d+\)$/, `${victim.id}'s restart names its cause`);
    else t.equal(restart?.cause, "signal SIGKILL", `${victim.id}'s restart names its cause`);
  }
  t.comment(`restart after kill -9: ${times.join(", ")}`);

  const before = await realm.waitAllUp(5000);
  const pidsBefore = new Map(before.nodes.filter((n) => n.kind !== "reviver").map((n) => [n.id, n.pid]));
  const leader = before.nodes.find((n) => n.id === before.reviver)!;
  process.kill(leader.pid!, "SIGKILL");
  const killedAt = Date.now();
  const takeover = await realm.waitFor("the other reviver to lead", 10_000, (_nodes, reply) => reply.reviver !== leader.id);
  const takeoverMs = Date.now() - killedAt;
  t.comment(`takeover by ${takeover.reviver} ${takeoverMs} ms after the leader's kill -9`);
  t.ok(takeoverMs <= RECOVERY_MS, `the other reviver leads within 3 s (${takeoverMs} ms)`);
  const back = await realm.waitFor("the old leader restarted by the new one", 10_000, (nodes) =>
    nodes.some((n) => n.id === leader.id && n.state === "up" && n.pid !== leader.pid),
  );
  for (const n of back.nodes.filter((x) => x.kind !== "reviver")) {
    t.equal(n.pid, pidsBefore.get(n.id), `${n.id} kept running through the takeover`);
    t.equal(n.state, "up");
  }

  const zone = back.nodes.find((n) => n.kind === "zone")!;
  process.kill(zone.pid!, "SIGSTOP");
  const stoppedAt = Date.now();
  const hung = await realm.waitFor("the hung zone restarted", 10_000, (nodes) =>
    nodes.some((n) => n.id === zone.id && n.state === "up" && n.pid !== zone.pid),
  );
  const hungMs = Date.now() - stoppedAt;
  t.comment(`hung node (SIGSTOP) replaced ${hungMs} ms after it stopped`);
  t.equal(hung.nodes.find((n) => n.id === zone.id)!.history.at(-1)?.cause, "missed heartbeats (1.5 s)");
  t.notOk(isAlive(zone.pid!), "the hung process was killed, not left behind");

  const { leftovers } = await realm.stop();
  t.same(leftovers, [], "nothing left running");
});
