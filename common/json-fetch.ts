// JSON over HTTP on fetch, for everyone who talks to a login node as a player does: the browser
// SDK, the load bots, the login bench and the test harness. It lives in common/ beside the other
// modules the SDK shares with the nodes (player-codec, player-view), and esbuild bundles it into
// the game page, so it imports nothing from node: (a node-side pool comes in as a Transport).

/** What a Transport is given: no more than both the platform's fetch and undici's take. */
interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** What is read of a fetch Response: both the platform's and undici's have it. */
interface FetchResponse {
  status: number;
  headers: { forEach(each: (value: string, name: string) => void): void };
  text(): Promise<string>;
}

/** How a request goes out: the platform's fetch, or one bound to a pool of its own (common/fetch-pool.ts). */
export type Transport = (url: URL, init: FetchInit) => Promise<FetchResponse>;

interface JsonRequest {
  method?: string;
  /** Sent as JSON; a string goes as it is (tests send broken bodies on purpose). */
  body?: unknown;
  /** Content-Type is application/json unless given here. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  transport?: Transport;
}

export interface JsonAnswer {
  status: number;
  /** By lower-case name. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed, or undefined when it is not JSON. */
  body: unknown;
  /** Retry-After in seconds, when the answer gives a number. */
  retryAfterS: number | undefined;
}

/** A login node answers within its 5 s hold and one password hash: silence this long means it is gone. */
const DEFAULT_TIMEOUT_MS = 20_000;

const platformFetch: Transport = (url, init) => fetch(url, init);

/** One request; rejects only when nothing answers (refused, reset, TLS, the timeout), with what happened. */
export async function fetchJson(url: URL, req: JsonRequest = {}): Promise<JsonAnswer> {
  const method = req.method ?? "GET";
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { ...req.headers };
  const init: FetchInit = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
  if (req.body !== undefined) {
    init.body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  let text: string;
  let res: FetchResponse;
  try {
    res = await (req.transport ?? platformFetch)(url, init);
    text = await res.text();
  } catch (err) {
    throw new Error(`no answer to ${method} ${url.href}: ${whyUnanswered(err, timeoutMs)}`, { cause: err });
  }
  const answered: Record<string, string> = {};
  res.headers.forEach((value, name) => (answered[name] = value));
  const retryAfterS = answered["retry-after"] ? Number(answered["retry-after"]) : NaN;
  return { status: res.status, headers: answered, text, body: jsonOrUndefined(text), retryAfterS: Number.isFinite(retryAfterS) ? retryAfterS : undefined };
}

/** `text` parsed, or undefined when it is not JSON (an error page, an empty body). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `value[name]` when `value` is an object: answers' JSON, read field by field without trusting its shape. */
export const fieldOf = (value: unknown, name: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined);

/** Node's fetch says only "fetch failed" and keeps the socket's error (ECONNREFUSED, a TLS code) as the cause. */
function whyUnanswered(err: unknown, timeoutMs: number): string {
  const { name, message, cause } = (err ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (name === "TimeoutError") return `none within ${timeoutMs} ms`;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return typeof message === "string" ? message : String(err);
}
