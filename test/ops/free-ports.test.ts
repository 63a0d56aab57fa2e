// Ports for test realms come from below the kernel's ephemeral range: an outgoing connection
// (ZeroMQ, PostgreSQL) can take a port from that range as its local port in the seconds before the
// node given it binds it. They are distinct, free, and can be listened on at once; and none of
// them is a port promised to a realm's node that has not bound it yet (the embedded PostgreSQL
// starts first: had it taken a zone's port, that zone could never bind it).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { allNodes } from "../../common/topology.ts";
import { loadConfig } from "../../config/load.ts";
import { freePorts, portsOf } from "../../ops/free-ports.ts";
import { writeTestConfig } from "../harness/test-config.ts";

t.test("free ports - distinct, listenable, below the ephemeral range", async (t) => {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number) as [number];
  const ports = await freePorts(64);
  t.equal(new Set(ports).size, 64, "64 distinct ports");
  t.ok(low - 10_000 < 1000 || ports.every((p) => p >= 10_000 && p < low), `all from 10000 up to the ephemeral range's start (${low}): ${Math.min(...ports)}–${Math.max(...ports)}`);
  const servers = await Promise.all(ports.map((p) => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(p, "127.0.0.1", () => resolve(s));
  })));
  t.pass("each can be listened on, all at once");
  // ports held by others are skipped, not handed out
  const again = await freePorts(16);
  t.notOk(again.some((p) => ports.includes(p)), "a port in use is never handed out");
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

t.test("free ports - ports promised to nodes that have not bound them yet are never handed out", async (t) => {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number) as [number];
  t.ok(low - 10_000 >= 1000, `room below the ephemeral range (it starts at ${low})`);
  // every port of the range promised but these eight, which are free
  const open = await freePorts(8);
  const promised = new Set<number>();
  for (let p = 10_000; p < low; p++) if (!open.includes(p)) promised.add(p);
  const got = await freePorts(4, promised);
  t.equal(new Set(got).size, 4, "4 distinct ports");
  t.ok(got.every((p) => open.includes(p)), `all from the eight left (${got.join(", ")})`);
  for (const p of open) promised.add(p);
  await t.rejects(freePorts(1, promised), /no port from 10000 to \d+ left to choose/, "none left: a clear error, not a loop");
});

t.test("free ports - portsOf finds every port a realm's nodes will bind", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "realm-ports-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig(await writeTestConfig(dir));
  const ports = portsOf(allNodes(config));
  const endpoints = allNodes(config).flatMap((n) => [n.inbox, ...("pub" in n ? [n.pub] : [])]);
  const portOf = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
  t.ok(endpoints.every((e) => ports.has(portOf(e))), `every inbox and PUB endpoint (${endpoints.length})`);
  t.ok(config.clientNodes.every((c) => ports.has(c.ws.port)), "every client node's WebSocket port");
  t.ok(config.login.nodes.every((l) => ports.has(l.http.port)), "every login node's HTTP port");
});
