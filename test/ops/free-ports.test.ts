// Ports for test realms come from below the kernel's ephemeral range: an outgoing connection
// (ZeroMQ, PostgreSQL) can take a port from that range as its local port in the seconds before the
// node given it binds it. They are distinct, free, and can be listened on at once.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import t from "tap";
import { freePorts } from "../../ops/free-ports.ts";

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
