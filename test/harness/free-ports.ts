// Ports chosen at run time, never fixed: tests may run in parallel with each other and with a dev realm.
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
