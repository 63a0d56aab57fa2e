// The login node's HTTP API as a browser calls it (fetch, JSON): log in, wait in the queue when
// the realm is full or its realm node restarts (202 + a ticket polled at GET /queue/<ticket>),
// register, list the realms. Refusals become errors carrying the login node's own words.
import { fetchJson, type JsonAnswer } from "../../../common/json-fetch.ts";

export interface Granted {
  session: string;
  realm: string;
  /** The client node the realm node placed this player on. */
  client: string;
  /** Every client node: where to resume when the own one is gone. */
  clients: string[];
}

export interface RealmEntry {
  name: string;
  status: "up" | "full" | "down";
  population: number | null;
  cap: number;
  queue: number;
}

export interface QueuePlace {
  position: number;
  etaSeconds: number;
}

export class LoginRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "LoginRefused";
  }
}

/** The login node answers the queue's poll this often at most; it forgets a ticket unpolled for a minute. */
const POLL_MIN_MS = 1000;
const POLL_MAX_MS = 10_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfterS: number;
}

async function call(base: string, method: "GET" | "POST", path: string, body?: object): Promise<Answer> {
  let a: JsonAnswer;
  try {
    a = await fetchJson(new URL(path, base), { method, body });
  } catch (err) {
    // the message names the address and why (a timeout, a refused connection)
    throw new LoginRefused(0, (err as Error).message);
  }
  // what is not JSON (a proxy's error page) is shown as the error, cut short
  const parsed = a.body === undefined ? { error: a.text.slice(0, 200) } : a.body;
  return { status: a.status, body: typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {}, retryAfterS: a.retryAfterS ?? 0 };
}

const errorOf = (a: Answer): LoginRefused => new LoginRefused(a.status, typeof a.body.error === "string" ? a.body.error : `the login node answered ${a.status}`);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function granted(a: Answer): Granted {
  const { session, realm, client, clients } = a.body;
  if (typeof session !== "string" || typeof client !== "string" || typeof realm !== "string") throw new LoginRefused(a.status, "the login answer names no session or client node");
  const all = Array.isArray(clients) ? clients.filter((c): c is string => typeof c === "string") : [];
  return { session, realm, client, clients: all.includes(client) ? all : [client, ...all] };
}

/** Logs in; while queued, `onQueue` hears the place each poll. Rejects with LoginRefused. */
export async function login(base: string, username: string, password: string, realm: string, onQueue: (q: QueuePlace) => void, stopped: () => boolean = () => false): Promise<Granted> {
  let a = await call(base, "POST", "/login", { username, password, realm });
  while (a.status === 202 && !stopped()) {
    const ticket = a.body.ticket;
    const queue = a.body.queue as Partial<QueuePlace> | undefined;
    if (typeof ticket !== "string") throw errorOf(a);
    const place = { position: Number(queue?.position ?? 0), etaSeconds: Number(queue?.etaSeconds ?? 0) };
    onQueue(place);
    await sleep(Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, a.retryAfterS * 1000, (place.etaSeconds * 1000) / 4)));
    a = await call(base, "GET", `/queue/${encodeURIComponent(ticket)}`);
  }
  if (a.status !== 200) throw errorOf(a);
  return granted(a);
}

export async function register(base: string, username: string, password: string): Promise<void> {
  const a = await call(base, "POST", "/register", { username, password });
  if (a.status !== 201) throw errorOf(a);
}

export async function realms(base: string): Promise<RealmEntry[]> {
  const a = await call(base, "GET", "/realms");
  if (a.status !== 200 || !Array.isArray(a.body.realms)) throw errorOf(a);
  return a.body.realms as RealmEntry[];
}
