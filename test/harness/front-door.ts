// Talking to a test realm's front door as a player would (HTTP to the login nodes) and as a
// client node would (a Wire to the realm node), plus direct PostgreSQL access for setting up
// accounts cheaply and for checking that nothing was stored.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { AccountStore } from "../../common/accounts/accounts.ts";
import type { ScryptCost } from "../../common/accounts/passwords.ts";
import { fetchPool } from "../../common/fetch-pool.ts";
import { fetchJson, jsonOrUndefined } from "../../common/json-fetch.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { Wire, type Handler } from "../../common/wire.ts";
import { loginNodeUrl, type LoginNodeSpec, type RealmsConfig } from "../../common/topology.ts";
import type { RealmProcess } from "../../ops/realm-process.ts";
import { type Teardown, TestRealm, until } from "./realm.ts";

/** Cheap enough for tests that create dozens of accounts; stored per account, as shipped ones are. */
export const TEST_SCRYPT: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/**
 * One request (https to a node with `tls`, trusting its own self-signed test cert); `body` objects
 * are sent as JSON, strings as they are. A connection of its own each time: tests kill and restart
 * login nodes, and a kept one could be the old process's.
 */
export async function request(node: LoginNodeSpec, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const pool = fetchPool(node.tls ? { connect: { ca: readFileSync(node.tls.cert) } } : {});
  try {
    return await fetchJson(loginNodeUrl(node, urlPath), { method, body, headers, transport: pool.transport });
  } finally {
    await pool.destroy();
  }
}

/** A plain-http request sent as written, for what fetch will not send: a GET with a body, a target that is no URL, dot segments it would resolve first. */
export function requestAsWritten(node: LoginNodeSpec, method: string, target: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  // node frames a GET's body only when told its length
  const framed = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: node.http.host, port: node.http.port, method, path: target, headers: framed, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: jsonOrUndefined(text), text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export const login = (node: LoginNodeSpec, username: string, password: string, realm = "Fortrax"): Promise<HttpAnswer> =>
  request(node, "POST", "/login", { username, password, realm });

export function postgresOf(t: Teardown, realm: TestRealm): pg.Pool {
  const url = readFileSync(path.join(realm.dataDir, "postgres.url"), "utf8").trim();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => {});
  t.teardown(() => pool.end());
  return pool;
}

/** Accounts `${prefix}0..n-1`, all with `password`, at the cheap test cost unless told otherwise. */
export async function createAccounts(pool: pg.Pool, prefix: string, n: number, password: string, cost: ScryptCost = TEST_SCRYPT): Promise<string[]> {
  const store = new AccountStore(pool);
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await Promise.all(names.map((name) => store.create(name, password, "test", cost)));
  return names;
}

/**
 * A realm started for this test file, up as a player sees it. If it never gets there, the realm
 * is stopped before the error propagates: a failing top-level await skips tap's teardowns.
 */
export async function startFrontDoor(t: Teardown, opts: { edit?: (doc: any) => void; kinds?: string[]; deadlineMs?: number } = {}): Promise<TestRealm> {
  const realm = await TestRealm.start(t, opts.edit ? { edit: opts.edit } : {});
  try {
    await waitFrontDoor(realm, opts.deadlineMs ?? 60_000, opts.kinds);
  } catch (err) {
    await realm.stop();
    throw err;
  }
  return realm;
}

/** The realm up as a player sees it: every login node answers and lists the realm as up. */
export async function waitFrontDoor(realm: RealmProcess, deadlineMs = 60_000, kinds = ["login", "realm", "client"]): Promise<void> {
  // only the kinds the front door needs: a zone or database node having a bad day is another test's business
  await realm.waitFor(`every ${kinds.join(", ")} node up`, deadlineMs, (nodes) => {
    const needed = nodes.filter((n) => kinds.includes(n.kind));
    return needed.length > 0 && needed.every((n) => n.state === "up");
  });
  for (const node of realm.config.login.nodes) {
    await until(`${node.id} lists the realm as up`, deadlineMs, async () => {
      const r = await request(node, "GET", "/realms").catch(() => undefined);
      return r?.status === 200 && r.body.realms.every((x: { status: string }) => x.status === "up") ? true : undefined;
    });
  }
}

/** A Wire playing a client node (its own id, outside the config): it checks handles and asks for characters. */
export function clientNodeWire(t: Teardown, config: RealmsConfig, id: string, handler: Handler = () => {}): Wire {
  const wire = realmWire(config, id, createLog(id, "error"), handler);
  t.teardown(() => wire.close());
  return wire;
}

/** Lines of a node's log (`<data>/logs/<id>.log`) that are JSON events. */
export function logLines(realm: TestRealm, nodeId: string): { event: string; [k: string]: unknown }[] {
  let text = "";
  try {
    text = readFileSync(path.join(realm.dataDir, "logs", `${nodeId}.log`), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .slice(0, -1)
    .flatMap((l) => {
      try {
        const v = JSON.parse(l) as { event?: unknown };
        return typeof v.event === "string" ? [v as { event: string }] : [];
      } catch {
        return [];
      }
    });
}
