// HTTP listeners for the nodes that face players (login, client), HTTPS when given a PEM pair.
// Listening errors become one clear message so the reviver can report why a node would not start.
import type http from "node:http";
import type { HostPort, TlsFiles } from "./topology.ts";
import { createHttpServer } from "./tls-server.ts";

export async function listenHttp(at: HostPort, handler: http.RequestListener, tls?: TlsFiles): Promise<http.Server> {
  const server = createHttpServer(handler, tls);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`cannot listen on ${at.host}:${at.port}: ${err.message}`)));
    server.listen(at.port, at.host, () => resolve());
  });
  return server;
}

export async function closeHttp(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
