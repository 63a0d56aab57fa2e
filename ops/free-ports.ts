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

/** A listener on a free port below the ephemeral range, or on any free port where that range leaves none. */
async function listenFree(): Promise<Server> {
  if (HIGHEST - LOWEST < 1000) return listen(0);
  for (let i = 1; ; i++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    try {
      return await listen(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || i >= TRIES) throw err;
    }
  }
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** `n` distinct free TCP ports on 127.0.0.1: all are held open at once, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, listenFree));
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
