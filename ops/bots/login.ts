// A bot's way in, the way a player's is: POST /login to a login node (taken in turn), waiting in
// the queue when the realm is full (GET /queue/<ticket> every few seconds), backing off on 429
// and 503 as Retry-After says, trying the other login node when one does not answer.
import { fetchPool } from "../../common/fetch-pool.ts";
import { fetchJson, fieldOf, type JsonAnswer } from "../../common/json-fetch.ts";
import { loginNodeUrl, type LoginNodeSpec } from "../../common/topology.ts";

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

/** Poll a queue ticket this often at least (the login node abandons one not polled for a minute). */
const QUEUE_POLL_MAX_S = 10;
const QUEUE_POLL_MIN_S = 2;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LoginDoor {
  private turn = 0;
  // up to 64 kept-alive connections to each login node; one with `tls` speaks https only, and a
  // self-signed certificate is trusted through NODE_EXTRA_CA_CERTS
  private readonly pool = fetchPool({ connections: 64 });
  /** Answers by status, for the summary. */
  readonly statuses = new Map<number, number>();

  constructor(
    private readonly nodes: readonly LoginNodeSpec[],
    private readonly realm: string,
  ) {}

  private async request(node: LoginNodeSpec, method: string, path: string, body?: object): Promise<JsonAnswer> {
    const a = await fetchJson(loginNodeUrl(node, path), { method, body, transport: this.pool.transport });
    this.statuses.set(a.status, (this.statuses.get(a.status) ?? 0) + 1);
    return a;
  }

  /** Logs in, however long the queue; gives up only on a refusal or when `stopped()` says so. */
  async login(username: string, password: string, stopped: () => boolean): Promise<Granted> {
    while (!stopped()) {
      const node = this.nodes[this.turn++ % this.nodes.length]!;
      let a: JsonAnswer;
      try {
        a = await this.request(node, "POST", "/login", { username, password, realm: this.realm });
        if (a.status === 202) a = await this.waitInQueue(node, a, stopped);
      } catch {
        // this login node is down or slow: the next one in turn
        await sleep(500);
        continue;
      }
      const [session, client] = [fieldOf(a.body, "session"), fieldOf(a.body, "client")];
      if (a.status === 200 && typeof session === "string" && typeof client === "string") return { session, client };
      // a 5xx is the node's trouble, not the bot's: it says "try again", and so it does
      if (a.status === 429 || a.status >= 500 || a.status === 202 || a.status === 410) {
        await sleep(Math.min(30, Math.max(1, a.retryAfterS ?? 1)) * 1000);
        continue;
      }
      const error = fieldOf(a.body, "error");
      throw new LoginRefused(a.status, `login of ${username} answered ${a.status}: ${typeof error === "string" ? error : a.text}`);
    }
    throw new Error("stopped");
  }

  /** Polls the ticket until it is admitted (the answer is then a login's) or lost (410/404: log in again). */
  private async waitInQueue(node: LoginNodeSpec, first: JsonAnswer, stopped: () => boolean): Promise<JsonAnswer> {
    const ticket = fieldOf(first.body, "ticket");
    if (typeof ticket !== "string") return first;
    let a = first;
    while (a.status === 202 && !stopped()) {
      const eta = Number(fieldOf(fieldOf(a.body, "queue"), "etaSeconds"));
      await sleep(Math.min(QUEUE_POLL_MAX_S, Math.max(QUEUE_POLL_MIN_S, Number.isFinite(eta) ? eta / 2 : QUEUE_POLL_MIN_S)) * 1000);
      a = await this.request(node, "GET", `/queue/${encodeURIComponent(ticket)}`);
    }
    // an unknown ticket is as lost as an abandoned one
    return a.status === 404 ? { ...a, status: 410 } : a;
  }

  close(): void {
    void this.pool.destroy();
  }
}
