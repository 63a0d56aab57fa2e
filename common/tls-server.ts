// The players' listeners (login `http`, client `ws`) as plain HTTP or, with the node's PEM pair
// from realms.yaml, as HTTPS; ws's server rides on either. The files are read here, at node start
// on the node's own host (other hosts of the realm need not hold the key), so a missing,
// unreadable or mismatched file is reported here, as a ConfigError pointing at its line.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { TlsFiles } from "./topology.ts";
import { ConfigError } from "./errors.ts";

/** A TLS handshake unfinished after this is a socket held open on purpose (Node waits 120 s by default). */
export const TLS_HANDSHAKE_MS = 10_000;

/**
 * An http.Server, or with `tls` an https one (which is an http.Server too). A bad handshake, plain
 * HTTP on the TLS port among them, only closes that socket: Node drops it and the server serves on.
 */
export function createHttpServer(handler: http.RequestListener, tls: TlsFiles | undefined): http.Server {
  if (!tls) return http.createServer(handler);
  const { file, path, certLine, keyLine } = tls.declared;
  const read = (field: "cert" | "key", abs: string, line: number): Buffer => {
    try {
      return readFileSync(abs);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      const problem = `cannot read ${abs} (${why}): fix the path (relative to the config file's folder) or let the node's user read the file`;
      throw new ConfigError([{ file, line, path: `${path}.${field}`, problem }]);
    }
  };
  const cert = read("cert", tls.cert, certLine);
  const key = read("key", tls.key, keyLine);
  try {
    return https.createServer({ cert, key, handshakeTimeout: TLS_HANDSHAKE_MS }, handler);
  } catch (err) {
    const problem = `${tls.cert} and ${tls.key} are not a PEM certificate and its private key (${(err as Error).message})`;
    throw new ConfigError([{ file, line: certLine, path, problem }]);
  }
}
