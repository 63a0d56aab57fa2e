// Prometheus metrics of a real realm: every node's own /metrics and the leading reviver's
// aggregate, read with a text-format parser; a zone's tick histogram moving while a player walks;
// realm_node_up following a node killed with -9 and brought back; bad requests refused while the
// listener keeps serving; and every log line naming the node that wrote it.
import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { createAccounts, logLines, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { freePorts } from "../harness/free-ports.ts";
import { enterWorld } from "../harness/players.ts";
import { find, parseExposition, scrape, value, type Exposition } from "../harness/prom-text.ts";
import { REPO, until } from "../harness/realm.ts";
import { allNodes, type AnyNodeSpec, type HostPort } from "../../common/topology.ts";

/** Every node entry of a realms.yaml document, in no particular order. */
function nodeEntries(doc: any): Record<string, unknown>[] {
  return [
    ...doc.login.nodes,
    ...doc.revivers,
    ...doc.client_nodes,
    ...doc.instances.pool,
    ...doc.realms.flatMap((r: any) => [r.realm, r.database, r.backup, ...r.zones]),
  ];
}

/** The series each kind must show on its own /metrics, beside the default process metrics. */
const OWN_SERIES: Partial<Record<AnyNodeSpec["kind"], string[]>> = {
  zone: ["realm_zone_tick_seconds_count", "realm_zone_tick_seconds_bucket", "realm_zone_players", "realm_zone_tick_p99_seconds"],
  instance: ["realm_zone_tick_seconds_count", "realm_instance_open"],
  client: ["realm_client_players", "realm_client_bytes_to_players", "realm_client_fanout_p99_seconds"],
  database: ["realm_database_commit_p99_seconds", "realm_database_replica_lag_ops", "realm_database_replica_lag_seconds", "realm_database_audit_backlog"],
  backup: ["realm_backup_replica_lag_ops"],
  login: ["realm_login_queue_length"],
  realm: ["realm_realm_players"],
};

t.test("metrics - every node's /metrics, the leader's aggregate, a zone's ticks while a player walks, a node killed and back", async (t) => {
  const spare = await freePorts(40);
  const realm = await startFrontDoor(t, {
    edit: (doc) => {
      // the copy's own ports were picked after ours were released, so the OS may have handed some out twice
      const taken = new Set(JSON.stringify(doc).match(/:\d+(?=")/g));
      const ports = spare.filter((p) => !taken.has(`:${p}`));
      nodeEntries(doc).forEach((n, i) => (n.metrics = `127.0.0.1:${ports[i]}`));
    },
  });
  const all = allNodes(realm.config);
  const ready = await realm.waitAllUp(90_000);
  const leader = realm.config.revivers.find((r) => r.id === ready.reviver)!;
  const follower = realm.config.revivers.find((r) => r.id !== ready.reviver)!;
  const at = (spec: AnyNodeSpec): HostPort => spec.metrics!;
  const read = async (spec: AnyNodeSpec): Promise<Exposition> => {
    const r = await scrape(at(spec));
    if (r.status !== 200) throw new Error(`${spec.id} /metrics: ${r.status} ${r.body}`);
    return parseExposition(r.body);
  };

  await t.test("each node serves its own registry: process metrics and its kind's vitals, labelled with its id", async (t) => {
    for (const spec of all.filter((n) => n.kind !== "reviver")) {
      // the vitals appear with the first heartbeat after start, which every node has sent by now
      const page = await scrape(at(spec));
      t.equal(page.status, 200, `${spec.id} answers`);
      t.match(page.headers["content-type"], /^text\/plain; version=0\.0\.4/);
      const e = parseExposition(page.body);
      const mine = { node: spec.id, kind: spec.kind, realm: spec.realm ?? "" };
      t.ok(value(e, "process_resident_memory_bytes", mine)! > 0, `${spec.id}: default process metrics with node, kind and realm`);
      t.ok(find(e, "realm_node_loop_delay_p99_seconds", mine).length === 1, `${spec.id}: the vitals every node sends`);
      for (const name of OWN_SERIES[spec.kind] ?? []) t.ok(find(e, name, { node: spec.id }).length > 0, `${spec.id}: ${name}`);
    }
    const login = await read(realm.config.login.nodes[0]!);
    t.equal(value(login, "realm_login_queue_length", { realm: "Fortrax" }), 0, "the login queue, labelled with the realm it is for");
    const buckets = find(await read(realm.config.realms[0]!.zones[0]!), "realm_zone_tick_seconds_bucket").map((s) => s.labels.le);
    t.same(buckets, ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "+Inf"], "tick buckets bracket the 50 ms tick");
  });

  await t.test("the leading reviver serves every node's heartbeat vitals; the follower names the leader", async (t) => {
    const e = parseExposition((await scrape(at(leader))).body);
    for (const spec of all) {
      t.equal(value(e, "realm_node_up", { node: spec.id, kind: spec.kind, realm: spec.realm ?? "" }), 1, `${spec.id} up in the aggregate`);
    }
    const zone = realm.config.realms[0]!.zones[0]!;
    t.ok(value(e, "realm_zone_tick_p99_seconds", { node: zone.id, kind: "zone", realm: "Fortrax" })! > 0, "a zone's tick p99, in seconds");
    t.ok(find(e, "realm_database_commit_p99_seconds").length === 1 && find(e, "realm_client_players").length === realm.config.clientNodes.length);
    const other = await scrape(at(follower));
    t.equal(other.status, 503, "the follower does not serve an aggregate");
    t.match(other.body, `the leader is ${leader.id}: scrape http://${leader.metrics!.host}:${leader.metrics!.port}/metrics`);
  });

  await t.test("a zone's tick histogram moves while a player walks, and the player shows in the vitals", async (t) => {
    const [account] = await createAccounts(postgresOf(t, realm), "scraped", 1, "correct horse");
    const { bot, entered } = await enterWorld(t, realm, account!, "correct horse", ["Aria"]);
    const spec = realm.config.realms[0]!;
    const [w, h] = [spec.world.width, spec.world.height];
    const zone = await until("the zone holding the player to count it", 10_000, async () => {
      for (const z of spec.zones) if (value(await read(z), "realm_zone_players", { node: z.id }) === 1) return z;
      return undefined;
    });
    const before = await read(zone);
    const x0 = (entered.qx * w) / 65535;
    const y0 = (entered.qy * h) / 65535;
    for (let step = 1; step <= 20; step++) {
      bot.move(x0 + step * 0.3, y0, w, h);
      await bot.waitFrames(1);
    }
    const after = await read(zone);
    const count = (e: Exposition): number => value(e, "realm_zone_tick_seconds_count", { node: zone.id }) ?? 0;
    t.ok(count(after) >= count(before) + 10, `ticks counted while the player walked: ${count(before)} -> ${count(after)}`);
    t.ok(value(after, "realm_zone_tick_seconds_sum")! > value(before, "realm_zone_tick_seconds_sum")!, "and their time summed");
    const sent = await Promise.all(realm.config.clientNodes.map(async (c) => value(await read(c), "realm_client_bytes_to_players") ?? 0));
    t.ok(sent.some((b) => b > 0), `the player's client node counts the bytes it sent (${sent.join(", ")})`);
    const outcomes = await read(realm.config.login.nodes[0]!);
    t.ok(value(outcomes, "realm_login_outcomes_total", { result: "admitted" })! >= 1, "the login counted as admitted");
    t.equal(outcomes.types.get("realm_login_outcomes_total"), "counter");
  });

  await t.test("realm_node_up drops to 0 for a zone killed with -9 and returns to 1 once the reviver restarts it", async (t) => {
    const zone = realm.config.realms[0]!.zones[1]!;
    const up = async (): Promise<number | undefined> => value(parseExposition((await scrape(at(leader))).body), "realm_node_up", { node: zone.id });
    const restarts = async (): Promise<number | undefined> => value(parseExposition((await scrape(at(leader))).body), "realm_node_restarts", { node: zone.id });
    const before = (await realm.node(zone.id))!;
    const restartsBefore = (await restarts())!;
    const ticksBefore = value(await read(zone), "realm_zone_tick_seconds_count")!;
    process.kill(before.pid!, "SIGKILL");
    const downAt = Date.now();
    await until(`${zone.id} down in the aggregate`, 5000, async () => ((await up()) === 0 ? true : undefined));
    t.pass(`realm_node_up{node="${zone.id}"} 0 after ${Date.now() - downAt} ms`);
    await until(`${zone.id} up again in the aggregate`, 30_000, async () => ((await up()) === 1 ? true : undefined));
    t.pass(`realm_node_up{node="${zone.id}"} 1 again after ${Date.now() - downAt} ms`);
    t.equal(await restarts(), restartsBefore + 1, "one more restart counted");
    const ticksAfter = value(await read(zone), "realm_zone_tick_seconds_count")!;
    t.ok(ticksAfter < ticksBefore, `the new process serves its own /metrics on the same address, counting from 0 (${ticksBefore} -> ${ticksAfter} ticks)`);
  });

  await t.test("bad requests get a clear 4xx and the listener keeps serving", async (t) => {
    const client = realm.config.clientNodes[0]!;
    const post = await scrape(at(client), { method: "POST" });
    t.equal(post.status, 405);
    t.equal(post.headers.allow, "GET, HEAD");
    t.match(post.body, "POST is not served: scrape /metrics with GET");
    const wrongPath = await scrape(at(client), { path: "/admin" });
    t.equal(wrongPath.status, 404);
    t.match(wrongPath.body, "this listener serves GET /metrics only");
    const huge = await scrape(at(client), { headers: { "x-padding": "x".repeat(20_000) } });
    t.equal(huge.status, 431, "headers past 16 KiB: 431");
    t.equal((await scrape(at(leader), { method: "DELETE" })).status, 405, "the reviver's listener too");
    t.equal((await scrape(at(client))).status, 200, "still serving");
    t.equal((await scrape(at(leader))).status, 200, "the aggregate still serving");
  });

  await t.test("the shipped Grafana dashboard asks only for series the realm serves", async (t) => {
    const dashboard = JSON.parse(readFileSync(path.join(REPO, "ops/monitoring/grafana-dashboard.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
    const served = new Set<string>();
    for (const spec of [leader, ...all.filter((n) => n.kind !== "reviver")]) {
      for (const s of parseExposition((await scrape(at(spec))).body).samples) served.add(s.name.replace(/_(bucket|count|sum)$/, ""));
    }
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        for (const [name] of expr.matchAll(/\brealm_[a-z0-9_]+/g)) t.ok(served.has(name.replace(/_bucket$/, "")), `${panel.title}: ${name} is served`);
      }
    }
  });

  await t.test("every log line names the node that wrote it", async (t) => {
    for (const spec of all) {
      const wrong = logLines(realm, spec.id).filter((l) => l.node !== spec.id);
      t.same(wrong.slice(0, 3), [], `${spec.id}: no line names another node`);
    }
    t.ok(logLines(realm, realm.config.realms[0]!.realmNode.id).some((l) => l.event === "client-node-live" && typeof l.clientNode === "string"), "placement names the client node as clientNode");
  });
});
