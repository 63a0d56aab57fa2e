// A bot's way in, the way a player's is: POST /login to a login node (taken in turn), waiting in
// the queue when the realm is full (GET /queue/<ticket> every few seconds), backing off on 429
// and 503 as Retry-After says, trying the other login node when one does not answer.
import http from "node:http";
import https from "node:https";
import type { LoginNodeSpec } from "../../config/model.ts";

export interface Granted {
  session: string;
  client: string;
}

/** The login node said no for good (wrong password, banned, unknown realm): trying again will not help. */
export class LoginRefused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "LoginRefused";
  }
}

interface Answer {
  status: number;
  retryAfterS: number | undefined;
  body: any;
}

const REQUEST_MS = 20_000;
/** Poll a queue ticket this often at least (the login node abandons one not polled for a minute). */
const QUEUE_POLL_MAX_S = 10;
const QUEUE_POLL_MIN_S = 2;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LoginDoor {
  private turn = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // a login node with `tls` speaks https only; a self-signed certificate is trusted through NODE_EXTRA_CA_CERTS
  private readonly tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  /** Answers by status, for the summary. */
  readonly statuses = new Map<number, number>();

  constructor(
    private readonly nodes: readonly LoginNodeSpec[],
    private readonly realm: string,
  ) {}

  private request(node: LoginNodeSpec, method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = (node.tls ? https : http).request(
        {
          host: node.http.host,
          port: node.http.port,
          method,
          path,
          agent: node.tls ? this.tlsAgent : this.agent,
          timeout: REQUEST_MS,
          headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              parsed = undefined;
            }
            const status = res.statusCode ?? 0;
            this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
            const retry = Number(res.headers["retry-after"]);
            resolve({ status, retryAfterS: Number.isFinite(retry) ? retry : undefined, body: parsed });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${node.id} did not answer ${method} ${path} within ${REQUEST_MS} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Logs in, however long the queue; gives up only on a refusal or when `stopped()` says so. */
  async login(username: string, password: string, stopped: () => boolean): Promise<Granted> {
    while (!stopped()) {
      const node = this.nodes[this.turn++ % this.nodes.length]!;
      let a: Answer;
      try {
        a = await this.request(node, "POST", "/login", { username, password, realm: this.realm });
        if (a.status === 202) a = await this.waitInQueue(node, a, stopped);
      } catch {
        // this login node is down or slow: the next one in turn
        await sleep(500);
        continue;
      }
      if (a.status === 200 && typeof a.body?.session === "string" && typeof a.body?.client === "string") return { session: a.body.session, client: a.body.client };
      if (a.status === 429 || a.status === 503 || a.status === 202 || a.status === 410) {
        await sleep(Math.min(30, Math.max(1, a.retryAfterS ?? 1)) * 1000);
        continue;
      }
      throw new LoginRefused(a.status, `login of ${username} answered ${a.status}: ${typeof a.body?.error === "string" ? a.body.error : JSON.stringify(a.body)}`);
    }
    throw new Error("stopped");
  }

  /** Polls the ticket until it is admitted (the answer is then a login's) or lost (410/404: log in again). */
  private async waitInQueue(node: LoginNodeSpec, first: Answer, stopped: () => boolean): Promise<Answer> {
    const ticket = first.body?.ticket;
    if (typeof ticket !== "string") return first;
    let a = first;
    while (a.status === 202 && !stopped()) {
      const eta = Number(a.body?.queue?.etaSeconds);
      await sleep(Math.min(QUEUE_POLL_MAX_S, Math.max(QUEUE_POLL_MIN_S, Number.isFinite(eta) ? eta / 2 : QUEUE_POLL_MIN_S)) * 1000);
      a = await this.request(node, "GET", `/queue/${encodeURIComponent(ticket)}`);
    }
    // an unknown ticket is as lost as an abandoned one
    return a.status === 404 ? { ...a, status: 410 } : a;
  }

  close(): void {
    this.agent.destroy();
    this.tlsAgent.destroy();
  }
}
