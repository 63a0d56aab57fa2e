// A node with a `restart:` command runs on another host, and its heartbeats cross a network: when a
// cut link comes back, the heartbeats it held back arrive together, maybe from a process the
// restart command has killed since. The supervisor must not take those for a node that is up again;
// the same process heard on time again is. And the command's shell is never the node: heartbeats
// count while it still runs.
import t from "tap";
import type { Heartbeat } from "../../common/protocol/control.ts";
import { HEARTBEAT_TIMEOUT_MS } from "../../nodes/reviver/supervisor.ts";
import { loneSupervisor } from "../harness/lone-supervisor.ts";
import { until } from "../harness/realm.ts";

t.test("supervisor - a restart: node's held-back heartbeats do not bring it up; on-time ones do", async (t) => {
  // a restart command that starts nothing: the zone is whatever heartbeats say
  const { supervisor, zone } = await loneSupervisor(t, "sleep 1");
  const state = (): string | undefined => supervisor.status().find((n) => n.id === zone.id)?.state;
  const firstAt = Date.now();
  const beat = (uptimeMs: number): void => {
    const hb: Heartbeat = { id: zone.id, kind: "zone", realm: zone.realm, pid: 4242, seq: 0, startedAt: firstAt - 10_000, uptimeMs, rssBytes: 0, heapUsedBytes: 0, vitals: {} };
    supervisor.heard(hb);
  };

  void supervisor.lead();
  await until("the zone started", 2000, () => (state() === "starting" ? true : undefined));
  beat(10_000);
  t.equal(state(), "up", "its first heartbeat brings it up, while the restart command still runs");

  await until("the zone found down", HEARTBEAT_TIMEOUT_MS + 2000, () => (supervisor.status().find((n) => n.id === zone.id)!.restarts === 1 ? true : undefined));
  await new Promise((r) => setTimeout(r, 800));
  t.not(state(), "up", "silent for longer than the timeout: down, and its restart command run");

  // sent 200 ms after the first, arriving now: held back by at least the timeout
  beat(10_200);
  t.not(state(), "up", "a heartbeat held back on the way does not bring it up");

  // the same process, heard on time: it lived through the cut
  beat(10_000 + (Date.now() - firstAt));
  t.equal(state(), "up", "an on-time heartbeat does");
});

t.test("supervisor - after its own event loop stood still, it reads the heartbeats that came meanwhile before judging anyone", async (t) => {
  const { supervisor, zone } = await loneSupervisor(t, "sleep 1");
  const status = () => supervisor.status().find((n) => n.id === zone.id)!;
  const firstAt = Date.now();
  const beat = (): void =>
    supervisor.heard({ id: zone.id, kind: "zone", realm: zone.realm, pid: 4242, seq: 0, startedAt: firstAt, uptimeMs: Date.now() - firstAt, rssBytes: 0, heapUsedBytes: 0, vitals: {} });

  void supervisor.lead();
  await until("the zone started", 2000, () => (status().state === "starting" ? true : undefined));
  beat();
  t.equal(status().state, "up");
  // the reviver starved of CPU: nothing of it runs for longer than the heartbeat timeout
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HEARTBEAT_TIMEOUT_MS + 1000);
  // the heartbeat that reached its socket meanwhile is read in this turn's I/O phase, after its timers
  setImmediate(beat);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(status().state, "up", "still up");
  t.equal(status().restarts, 0, "not restarted");
});
