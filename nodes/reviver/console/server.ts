// The operator console's HTTP side: the page (static files, served as they are), a JSON API
// behind the operator token, and one POST for actions. Everything it reads or does goes through
// a ConsoleBackend (nodes/reviver/console/backend.ts in the reviver; a fake in the tests).
// Bad requests end as one clear 4xx and touch nothing: the console keeps serving.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeHttp, listenHttp, sendJson } from "../../../common/http.ts";
import { HttpRefusal, readJson } from "../../../common/json-body.ts";
import type { Log } from "../../../common/log.ts";
import type { Schema } from "../../../common/schema.ts";
import type { HostPort } from "../../../common/topology.ts";
import { ActionRefused, parseAction, type ConsoleAction } from "./actions.ts";
import type { AuditEntry } from "./audit.ts";

/** An action body is a few fields; anything larger is not one. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Longer than any token we hand out (43 characters) or accept (REALM_CONSOLE_TOKEN): not worth hashing. */
const MAX_TOKEN_CHARS = 256;

const VIEWS = ["status", "backups", "players", "audit", "density"] as const;
export type View = (typeof VIEWS)[number];

export interface ConsoleBackend {
  /** Whether this reviver leads; a follower's console names the leader instead of answering. */
  leading(): boolean;
  leaderHint(): { leader?: string; console?: string };
  /** The id of the active token this is, or undefined. */
  checkToken(token: string): Promise<string | undefined>;
  audit(e: AuditEntry): Promise<void>;
  /** A read-only view; ActionRefused for an unknown realm. */
  read(view: View, query: URLSearchParams): Promise<unknown>;
  /** Carries out an action; resolves with a sentence for the operator, throws ActionRefused (4xx) or an Error (it failed). */
  act(action: ConsoleAction): Promise<string>;
}

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "static");
const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
};
/** The page loads nothing from elsewhere and is never framed. */
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer ([!-~]+)$/.exec(req.headers.authorization ?? "");
  return m?.[1] !== undefined && m[1].length <= MAX_TOKEN_CHARS ? m[1] : undefined;
}

/** parseAction as a schema, for readJson. */
const ACTION_BODY: Schema<ConsoleAction> = { describe: "a console action", parse: parseAction };

const ipOf = (req: http.IncomingMessage): string => req.socket.remoteAddress ?? "unknown";

export class ConsoleServer {
  private server: http.Server | undefined;
  private readonly files = new Map<string, Buffer>();

  constructor(
    private readonly at: HostPort,
    private readonly backend: ConsoleBackend,
    private readonly log: Log,
  ) {
    for (const { file } of Object.values(STATIC)) this.files.set(file, readFileSync(path.join(STATIC_DIR, file)));
  }

  async start(): Promise<void> {
    this.server = await listenHttp(this.at, (req, res) => void this.handle(req, res));
    // a slow or stalled client must not hold a socket for ever
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
  }

  async close(): Promise<void> {
    if (this.server) await closeHttp(this.server);
  }

  get url(): string {
    return `http://${this.at.host}:${this.at.port}/`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? "/", "http://console");
    try {
      const page = STATIC[url.pathname];
      if (page) {
        if (req.method !== "GET" && req.method !== "HEAD") throw new HttpRefusal(405, "use GET");
        const body = this.files.get(page.file) ?? Buffer.alloc(0);
        res.writeHead(200, { "content-type": page.type, "content-length": body.length });
        res.end(req.method === "HEAD" ? undefined : body);
        return;
      }
      if (!url.pathname.startsWith("/api/")) throw new HttpRefusal(404, `no page ${url.pathname.slice(0, 80)}`);
      const token = bearer(req);
      const tokenId = token === undefined ? undefined : await this.backend.checkToken(token);
      if (tokenId === undefined) {
        this.log.warn("console-refused", { ip: ipOf(req), path: url.pathname.slice(0, 80), why: token === undefined ? "no token" : "wrong token" });
        throw new HttpRefusal(401, token === undefined ? "the operator token is missing (Authorization: Bearer <token>)" : "wrong operator token");
      }
      if (!this.backend.leading()) {
        const hint = this.backend.leaderHint();
        const error = `this reviver does not lead${hint.leader ? `: ${hint.leader} does${hint.console ? `, its console is http://${hint.console}/` : ""}` : "; no leader is known yet"}`;
        return sendJson(res, 503, { ok: false, error, notLeader: true, ...hint });
      }
      if (url.pathname === "/api/action") {
        if (req.method !== "POST") throw new HttpRefusal(405, "use POST");
        return await this.action(req, res, tokenId);
      }
      const view = url.pathname.slice("/api/".length);
      if (!(VIEWS as readonly string[]).includes(view)) throw new HttpRefusal(404, `no view ${view.slice(0, 80)} (there are: ${VIEWS.join(", ")})`);
      if (req.method !== "GET") throw new HttpRefusal(405, "use GET");
      sendJson(res, 200, await this.backend.read(view as View, url.searchParams));
    } catch (err) {
      this.fail(req, res, err);
    }
  }

  private async action(req: http.IncomingMessage, res: http.ServerResponse, tokenId: string): Promise<void> {
    const audit = (action: string, target: Record<string, unknown>, ok: boolean, result: string): Promise<void> =>
      this.backend.audit({ tokenId, ip: ipOf(req), action, target, ok, result });
    let action: ConsoleAction;
    try {
      action = await readJson(req, ACTION_BODY, MAX_BODY_BYTES);
    } catch (err) {
      await audit("?", {}, false, `refused: ${(err as Error).message}`);
      throw err;
    }
    const { action: name, ...target } = action;
    try {
      const message = await this.backend.act(action);
      await audit(name, target, true, message);
      this.log.info("console-action", { action: name, target, ok: true, message });
      sendJson(res, 200, { ok: true, message });
    } catch (err) {
      const message = (err as Error).message;
      await audit(name, target, false, message);
      this.log.warn("console-action", { action: name, target, ok: false, message });
      throw err instanceof ActionRefused ? new HttpRefusal(err.status, message) : new HttpRefusal(502, message);
    }
  }

  private fail(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    const status = err instanceof HttpRefusal ? err.status : err instanceof ActionRefused ? err.status : 500;
    const message = status === 500 ? "the console failed; see the reviver's log" : (err as Error).message;
    if (status === 500) this.log.error("console-failed", { path: req.url?.slice(0, 80), error: (err as Error).message });
    if (res.headersSent) return void res.end();
    if (err instanceof HttpRefusal) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    sendJson(res, status, { ok: false, error: message });
  }
}
