// The small HTTP listener of a node's `metrics:` address: GET /metrics and nothing else. A bad
// request gets a 4xx that says what this listener serves; the node keeps serving either way
// (headers past Node's 16 KiB limit are answered 431 by Node itself).
import type http from "node:http";
import { listenHttp } from "../http.ts";
import { errorFields, type Log } from "../log.ts";
import type { HostPort } from "../topology.ts";
import type { MetricsPage } from "./node-metrics.ts";

/** A scrape is a few hundred bytes of request: one that takes longer than this is holding a socket. */
const REQUEST_TIMEOUT_MS = 5000;

function answer(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function listenMetrics(at: HostPort, page: () => Promise<MetricsPage>, log: Log): Promise<http.Server> {
  const server = await listenHttp(at, (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics") return answer(res, 404, `no ${JSON.stringify(path?.slice(0, 100))} here: this listener serves GET /metrics only\n`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return answer(res, 405, `${req.method} is not served: scrape /metrics with GET\n`, { allow: "GET, HEAD" });
    }
    page().then(
      (p) => {
        res.writeHead(p.status, { "content-type": p.contentType, "content-length": Buffer.byteLength(p.body) });
        res.end(req.method === "HEAD" ? undefined : p.body);
      },
      (err: unknown) => {
        log.error("metrics-page-failed", errorFields(err));
        answer(res, 500, `the metrics could not be gathered: ${errorFields(err).error}\n`);
      },
    );
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  log.info("metrics-listening", { at: `${at.host}:${at.port}` });
  return server;
}
