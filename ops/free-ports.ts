// Ports chosen at run time, never fixed: tests, benchmarks and chaos runs may run beside each
// other and beside a dev realm.
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";

/**
 * Ports are drawn below the kernel's ephemeral range. A port from that range (what listen(0)
 * gives) can be taken as the local port of an outgoing connection (a node's ZeroMQ or PostgreSQL
 * connects) in the seconds before the node that was given it binds it, and that node then cannot
 * listen: a realm that never comes up, now and then.
 */
const LOWEST = 10_000;
function ephemeralStart(): number {
  try {
    const start = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(start) ? start : 32_768;
  } catch {
    return 32_768;
  }
}
const HIGHEST = ephemeralStart() - 1;
const TRIES = 200;

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** A listener on a free port below the ephemeral range (none of `avoid`), or on any free port where that range leaves none. */
async function listenFree(avoid: ReadonlySet<number>): Promise<Server> {
  if (HIGHEST - LOWEST < 1000) return listen(0);
  for (let i = 1; ; i++) {
    let port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    for (let probed = 0; avoid.has(port); probed++) {
      if (probed > HIGHEST - LOWEST) throw new Error(`no port from ${LOWEST} to ${HIGHEST} left to choose: all are spoken for`);
      port = port === HIGHEST ? LOWEST : port + 1;
    }
    try {
      return await listen(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || i >= TRIES) throw err;
    }
  }
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/**
 * `n` distinct free TCP ports on 127.0.0.1: all are held open at once, so none is handed out twice.
 * `avoid`: ports promised to processes that have not bound them yet (a realm's nodes), free until they do.
 */
export async function freePorts(n: number, avoid: ReadonlySet<number> = new Set()): Promise<number[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => listenFree(avoid)));
  const servers = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map(close));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return ports;
}

const ADDRESS_KEYS = new Set(["inbox", "pub", "http", "ws", "console", "metrics"]);
/** `tcp://host:port` or `host:port`; group 1 is all but the port. */
const ADDRESS = /^((?:tcp:\/\/)?(?:\[[^\]]*\]|[^\s:/]+)):(\d+)$/;

/**
 * Gives every address (inbox, pub, http, ws, console, metrics) in a parsed config its own free port, in place,
 * even where the source repeats one; returns the ports in the order they were assigned.
 */
export async function remapPorts(doc: unknown): Promise<number[]> {
  const slots: { owner: Record<string, unknown>; key: string; prefix: string }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") {
      const owner = value as Record<string, unknown>;
      for (const [key, v] of Object.entries(owner)) {
        const m = ADDRESS_KEYS.has(key) && typeof v === "string" ? ADDRESS.exec(v) : null;
        if (m) slots.push({ owner, key, prefix: m[1] ?? "" });
        else walk(v);
      }
    }
  };
  walk(doc);
  const ports = await freePorts(slots.length);
  slots.forEach((s, i) => (s.owner[s.key] = `${s.prefix}:${ports[i]}`));
  return ports;
}

/**
 * The ports a loaded config's nodes will bind (endpoints, and numbers under a `port` key): whatever
 * starts before them (the embedded PostgreSQL) must not take one while it is still free, or that
 * node never comes up.
 */
export function portsOf(specs: readonly object[]): Set<number> {
  const ports = new Set<number>();
  const seen = new Set<object>();
  const walk = (value: unknown, key: string): void => {
    if (typeof value === "string") {
      const m = ADDRESS.exec(value);
      if (m) ports.add(Number(m[2]));
    } else if (typeof value === "number") {
      if (key === "port" && Number.isInteger(value)) ports.add(value);
    } else if (value !== null && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const spec of specs) walk(spec, "");
  return ports;
}
