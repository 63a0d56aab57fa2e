// The leading reviver's aggregate page, from a watch table given by hand: what each node state
// shows, the names vitals get, and that a node gone from the table leaves no series behind.
import t from "tap";
import type { NodeStatus } from "../../common/protocol/reviver.ts";
import { followerMetricsPage, realmMetricsPage } from "../../nodes/reviver/realm-metrics.ts";
import { freePorts } from "../harness/free-ports.ts";
import { find, parseExposition, value } from "../harness/prom-text.ts";

const zone: NodeStatus = { id: "FORTRAX-ZONE-1", kind: "zone", realm: "Fortrax", state: "up", restarts: 1, heartbeatAgeMs: 250, vitals: { tickP99Ms: 3, players: 7, rssBytes: 1e8 }, history: [] };
const client: NodeStatus = { id: "CLIENT-1", kind: "client", state: "down", restarts: 2, vitals: { fanoutP99Ms: 4, players: 7 }, history: [] };
const leader: NodeStatus = { id: "REVIVER-1", kind: "reviver", state: "up", restarts: 0, heartbeatAgeMs: 100, vitals: { leader: 1 }, history: [] };

t.test("realm metrics - every node labelled node, kind and realm; vitals in seconds; a down node shows only that it is down", async (t) => {
  const page = await realmMetricsPage([zone, client]);
  t.equal(page.status, 200);
  const e = parseExposition(page.body);
  t.equal(value(e, "realm_node_up", { node: "FORTRAX-ZONE-1", kind: "zone", realm: "Fortrax" }), 1);
  t.equal(value(e, "realm_node_up", { node: "CLIENT-1", kind: "client" }), 0);
  t.equal(find(e, "realm_node_up", { node: "CLIENT-1" })[0]?.labels.realm, "", "a node of every realm has an empty realm label, which Prometheus stores as none");
  t.equal(value(e, "realm_zone_tick_p99_seconds", { node: "FORTRAX-ZONE-1" }), 0.003);
  t.equal(value(e, "realm_zone_players", { node: "FORTRAX-ZONE-1" }), 7);
  t.equal(value(e, "realm_node_rss_bytes", { node: "FORTRAX-ZONE-1" }), 1e8, "vitals every node sends are realm_node_*");
  t.equal(value(e, "realm_node_heartbeat_age_seconds", { node: "FORTRAX-ZONE-1" }), 0.25);
  t.equal(value(e, "realm_node_restarts", { node: "CLIENT-1" }), 2);
  t.same(find(e, "realm_client_fanout_p99_seconds"), [], "a down node's last vitals are not shown as current");
  t.equal(e.types.get("realm_node_up"), "gauge");
});

t.test("realm metrics - a node gone from the watch table has no series left", async (t) => {
  const both = parseExposition((await realmMetricsPage([zone, { ...client, state: "up" }])).body);
  t.ok(find(both, "realm_client_players").length === 1);
  const after = parseExposition((await realmMetricsPage([zone])).body);
  t.same(after.samples.filter((s) => s.labels.node === "CLIENT-1"), []);
  t.same(find(after, "realm_client_players"), [], "not even an empty family");
});

t.test("realm metrics - a follower answers 503 and names the leader and where to scrape it", async (t) => {
  // addresses only named on the page, never listened on; ports of this run all the same
  const [inbox1, inbox2, metrics1, metrics2] = (await freePorts(4)) as [number, number, number, number];
  const revivers = [
    { id: "REVIVER-1", kind: "reviver", realm: undefined, inbox: `tcp://127.0.0.1:${inbox1}`, restart: undefined, metrics: { host: "127.0.0.1", port: metrics1 }, console: undefined, line: 1 },
    { id: "REVIVER-2", kind: "reviver", realm: undefined, inbox: `tcp://127.0.0.1:${inbox2}`, restart: undefined, metrics: { host: "::1", port: metrics2 }, console: undefined, line: 2 },
  ] as const;
  const page = followerMetricsPage("REVIVER-2", [leader, zone], [...revivers]);
  t.equal(page.status, 503);
  t.match(page.body, "REVIVER-2 does not lead the realm");
  t.match(page.body, `the leader is REVIVER-1: scrape http://127.0.0.1:${metrics1}/metrics`);
  t.match(followerMetricsPage("REVIVER-1", [{ ...leader, id: "REVIVER-2" }], [...revivers]).body, `http://[::1]:${metrics2}/metrics`);
  t.match(followerMetricsPage("REVIVER-2", [zone], [...revivers]).body, "no leader is known yet");
});
