// Ports chosen at run time, never fixed: tests, benchmarks and chaos runs may run beside each
// other and beside a dev realm.
import { createServer, type AddressInfo, type Server } from "node:net";

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** `n` distinct free TCP ports on 127.0.0.1: all are held open at once, so the OS cannot hand one out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, listen));
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
