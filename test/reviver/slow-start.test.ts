// A node that takes longer to start than the startup deadline (a loaded host) must come up in the
// end: each start in a row that stays silent past its deadline doubles the next one's, and the
// first heartbeat puts the deadline back. Without the growth the reviver kills it at the same
// deadline, again and again, until it gives up.
import t from "tap";
import type { Heartbeat } from "../../common/protocol/control.ts";
import { loneSupervisor } from "../harness/lone-supervisor.ts";
import { until } from "../harness/realm.ts";

t.test("supervisor - a start that outlasts its deadline gets twice as long next time, and the first heartbeat resets it", async (t) => {
  // a restart command that starts nothing: the zone is whatever heartbeats say
  const { supervisor, zone } = await loneSupervisor(t, "sleep 1", { startupDeadlineMs: 300 });
  const zoneStatus = () => supervisor.status().find((n) => n.id === zone.id)!;
  const causes = (): string[] => zoneStatus().history.map((h) => h.cause);

  void supervisor.lead();
  await until("three silent starts", 10_000, () => (causes().length >= 3 ? true : undefined));
  t.same(causes().slice(0, 3), ["no heartbeat within 0.3 s of start", "no heartbeat within 0.6 s of start", "no heartbeat within 1.2 s of start"], "each silent start waited twice as long as the one before");
  t.not(zoneStatus().state, "given-up", "and the reviver keeps trying");

  await until("the zone starting again", 5000, () => (zoneStatus().state === "starting" ? true : undefined));
  const hb: Heartbeat = { id: zone.id, kind: "zone", realm: zone.realm, pid: 4242, seq: 0, startedAt: Date.now(), uptimeMs: 0, rssBytes: 0, heapUsedBytes: 0, vitals: {} };
  supervisor.heard(hb);
  t.equal(zoneStatus().state, "up", "a slow start that answers is up");

  // silent from now: found down by its heartbeats, restarted, and that start gets the first deadline
  // again. It is the fifth crash within a minute, so the crash policy gives up: its reason names it.
  await until("the zone given up", 10_000, () => (zoneStatus().state === "given-up" ? true : undefined));
  t.equal(causes().at(-1), "missed heartbeats (1.5 s)", "found down once its heartbeats stopped");
  t.match(zoneStatus().reason, /last: no heartbeat within 0\.3 s of start$/, "after a heartbeat the deadline is back to the first");
});
