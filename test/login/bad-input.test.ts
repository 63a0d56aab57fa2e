// Every HTTP route of the login nodes refuses bad input with a 4xx and a JSON error, stores
// nothing, and keeps serving: wrong content types, a 1 MB body, missing and non-string fields,
// SQL-looking names and Unicode look-alikes. Registration is switched on here to be attacked too.
import http from "node:http";
import t from "tap";
import type { LoginNodeSpec } from "../../common/topology.ts";
import { login, postgresOf, request, requestAsWritten, startFrontDoor, type HttpAnswer } from "../harness/front-door.ts";

const realm = await startFrontDoor(t, {
  edit: (doc) => {
    doc.login.register = true;
  },
});
const db = postgresOf(t, realm);
const nodes = realm.config.login.nodes;

const TABLES = ["accounts", "account_bans", "sessions", "login_queue", "login_failures"];
async function stored(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  return out;
}

const SQL_NAMES = ["Robert'); DROP TABLE accounts;--", "' OR '1'='1", "admin'--", "x\"; SELECT pg_sleep(5); --", "a%' OR name LIKE '%"];
// Cyrillic А, Greek Α, fullwidth Ａ, a zero-width space, a combining accent, a Latin ligature
const LOOK_ALIKES = ["\u0410rthur", "\u0391rthur", "\uff21rthur", "Arthur\u200b", "Arthu\u0301r", "\ufb01nn"];

interface Asserts {
  ok(value: unknown, message: string): unknown;
  equal(found: unknown, wanted: unknown, message: string): unknown;
  match(found: unknown, pattern: unknown, message: string): unknown;
  type(found: unknown, type: string, message: string): unknown;
}

/** What every refusal must look like. */
function refused(t: Asserts, r: HttpAnswer, what: string, status?: number): void {
  t.ok(r.status >= 400 && r.status < 500, `${what}: 4xx (${r.status})`);
  if (status !== undefined) t.equal(r.status, status, `${what}: ${status}`);
  t.match(r.headers["content-type"], /^application\/json/, `${what}: JSON`);
  t.type(r.body?.error, "string", `${what}: says why (${r.body?.error})`);
}

/** Sends `total` bytes in 64 KiB chunks, announcing the length or not (chunked). */
function bigBody(node: LoginNodeSpec, path: string, total: number, announce: boolean, declared = total): Promise<HttpAnswer> {
  const chunk = Buffer.alloc(64 * 1024, "a");
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (announce) headers["content-length"] = String(declared);
    const req = http.request({ host: node.http.host, port: node.http.port, method: "POST", path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: JSON.parse(text) });
      });
    });
    // the server may answer and close before we finish writing: the answer is what we test
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    // announcing more than we send: only the headers go out, and the answer must come anyway
    if (total === 0) return void req.flushHeaders();
    let sent = 0;
    const write = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (declared === total) req.end();
    };
    write();
  });
}

t.test("bad input - POST routes refuse wrong content types, broken JSON and wrong shapes", async (t) => {
  const before = await stored();
  for (const node of nodes) {
    for (const path of ["/login", "/register", "/logout"]) {
      refused(t, await request(node, "POST", path, "username=a&password=b", { "content-type": "application/x-www-form-urlencoded" }), `${path} form`, 415);
      refused(t, await request(node, "POST", path, '{"username":"a"}', { "content-type": "text/plain" }), `${path} text/plain`, 415);
      refused(t, await request(node, "POST", path, "{}", { "content-type": "" }), `${path} no content type`, 415);
      refused(t, await request(node, "POST", path, "{not json"), `${path} broken JSON`, 400);
      refused(t, await request(node, "POST", path, ""), `${path} empty body`, 400);
      for (const shape of ["[]", '"a string"', "null", "42"]) refused(t, await request(node, "POST", path, shape), `${path} ${shape}`, 400);
    }
    const fields = { username: "Arthur", password: "long enough pw", realm: "Fortrax" };
    for (const missing of Object.keys(fields)) {
      const body: Record<string, unknown> = { ...fields };
      delete body[missing];
      refused(t, await request(node, "POST", "/login", body), `/login without ${missing}`, 400);
    }
    for (const value of [42, true, null, ["Arthur"], { $ne: "" }]) {
      for (const field of Object.keys(fields)) {
        refused(t, await request(node, "POST", "/login", { ...fields, [field]: value }), `/login ${field}=${JSON.stringify(value)}`, 400);
      }
      refused(t, await request(node, "POST", "/register", { username: value, password: "long enough pw" }), `/register username=${JSON.stringify(value)}`, 400);
      refused(t, await request(node, "POST", "/logout", { session: value }), `/logout session=${JSON.stringify(value)}`, 400);
    }
    refused(t, await request(node, "POST", "/login", { ...fields, admin: true }), "/login with an unknown field", 400);
    refused(t, await request(node, "POST", "/login", { ...fields, username: "A".repeat(65) }), "/login overlong username", 400);
    refused(t, await request(node, "POST", "/login", { ...fields, password: "p".repeat(129) }), "/login overlong password", 400);
    refused(t, await request(node, "POST", "/register", { username: "Shorty", password: "short" }), "/register weak password", 400);
    refused(t, await request(node, "POST", "/login", { ...fields, realm: "Atlantis" }), "/login unknown realm", 404);
  }
  t.same(await stored(), before, "nothing stored");
});

t.test("bad input - SQL-looking and look-alike names are refused on login and register", async (t) => {
  const before = await stored();
  for (const node of nodes) {
    for (const name of [...SQL_NAMES, ...LOOK_ALIKES]) {
      refused(t, await login(node, name, "long enough pw"), `/login ${JSON.stringify(name)}`, 400);
      refused(t, await request(node, "POST", "/register", { username: name, password: "long enough pw" }), `/register ${JSON.stringify(name)}`, 400);
      refused(t, await request(node, "POST", "/login", { username: "Arthur", password: "long enough pw", realm: name }), `/login realm ${JSON.stringify(name)}`, 404);
    }
  }
  t.same(await stored(), before, "nothing stored");
  t.equal((await db.query("SELECT to_regclass('accounts') IS NOT NULL AS there")).rows[0].there, true, "the accounts table is still there");
});

t.test("bad input - a 1 MB body is refused while it arrives, announced or chunked", async (t) => {
  const before = await stored();
  for (const node of nodes) {
    for (const path of ["/login", "/register", "/logout"]) {
      refused(t, await bigBody(node, path, 1 << 20, true), `${path} 1 MB with content-length`, 413);
      refused(t, await bigBody(node, path, 1 << 20, false), `${path} 1 MB chunked`, 413);
    }
    // a body announced as 1 GB: answered at once, the connection closed, the gigabyte never awaited
    const started = Date.now();
    const huge = await bigBody(node, "/login", 0, true, 1 << 30);
    refused(t, huge, "1 GB announced", 413);
    t.equal(huge.headers.connection, "close", "and the connection closes");
    t.ok(Date.now() - started < 5000, "without waiting for the body");
  }
  t.same(await stored(), before, "nothing stored");
});

t.test("bad input - GET routes refuse malformed tickets, unknown routes and wrong methods", async (t) => {
  const before = await stored();
  for (const node of nodes) {
    for (const ticket of ["short", "%ZZ", encodeURIComponent("'; DROP TABLE login_queue;--"), "A".repeat(44), encodeURIComponent("\u0410".repeat(43))]) {
      refused(t, await request(node, "GET", `/queue/${ticket}`), `/queue/${ticket.slice(0, 20)}`, 400);
    }
    refused(t, await request(node, "GET", `/queue/${"A".repeat(43)}`), "unknown ticket", 404);
    refused(t, await request(node, "GET", "/admin"), "unknown route", 404);
    refused(t, await request(node, "GET", "/login"), "GET /login", 405);
    refused(t, await request(node, "DELETE", "/realms"), "DELETE /realms", 405);
    refused(t, await request(node, "POST", "/realms", {}), "POST /realms", 405);
    refused(t, await requestAsWritten(node, "GET", "http://[::1"), "a request target that is no URL", 400);
    const preflight = await request(node, "OPTIONS", "/login");
    t.equal(preflight.status, 204, "a browser's preflight is answered");
    t.equal(preflight.headers["access-control-allow-origin"], "*");
    const list = await requestAsWritten(node, "GET", "/realms?x=%27%20OR%201=1", "ignored body", { "content-type": "text/plain" });
    t.equal(list.status, 200, "GET /realms ignores a query string and a body");
  }
  t.same(await stored(), before, "nothing stored");
});

t.test("bad input - after all that, both login nodes are up and still log players in", async (t) => {
  const reply = await realm.status();
  for (const node of nodes) {
    const status = reply?.nodes.find((n) => n.id === node.id);
    t.match(status, { state: "up", restarts: 0 }, `${node.id} never crashed ${JSON.stringify(status?.history ?? [])}`);
    t.equal((await request(node, "GET", "/health")).status, 200);
  }
  const reg = await request(nodes[0]!, "POST", "/register", { username: "Survivor", password: "long enough pw" });
  t.equal(reg.status, 201, reg.text);
  t.equal((await request(nodes[1]!, "POST", "/register", { username: "SURVIVOR", password: "long enough pw" })).status, 409, "names are unique whatever the case");
  const r = await login(nodes[1]!, "survivor", "long enough pw");
  t.equal(r.status, 200, `the registered account logs in (name in any case): ${r.text}`);
  const row = await db.query("SELECT scrypt_n, scrypt_r, scrypt_p, created_by FROM accounts WHERE name = 'Survivor'");
  t.match(row.rows[0], { scrypt_n: 16384, scrypt_r: 8, scrypt_p: 1, created_by: /^register/ }, "registered with the shipped scrypt cost, stored beside the hash");
});
