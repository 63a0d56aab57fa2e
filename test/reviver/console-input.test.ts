// The console's HTTP side against a fake backend: every bad request is one clear 4xx, reaches no
// action, and leaves the console serving; the page's files are served as they are.
import http from "node:http";
import t from "tap";
import { createLog } from "../../common/log.ts";
import type { ConsoleAction } from "../../nodes/reviver/console/actions.ts";
import type { AuditEntry } from "../../nodes/reviver/console/audit.ts";
import { ConsoleServer, MAX_BODY_BYTES, type ConsoleBackend } from "../../nodes/reviver/console/server.ts";
import { freePorts } from "../../ops/free-ports.ts";

const TOKEN = "a".repeat(43);

class FakeBackend implements ConsoleBackend {
  lead = true;
  readonly done: ConsoleAction[] = [];
  readonly audited: AuditEntry[] = [];
  leading = (): boolean => this.lead;
  leaderHint = () => ({ leader: "REVIVER-2", console: "127.0.0.1:1" });
  checkToken = async (token: string) => (token === TOKEN ? "1" : undefined);
  audit = async (e: AuditEntry) => void this.audited.push(e);
  read = async () => ({ nodes: [] });
  act = async (a: ConsoleAction) => {
    this.done.push(a);
    return `did ${a.action}`;
  };
}

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

function ask(port: number, method: string, path: string, opts: { token?: string; body?: string | Buffer; type?: string; length?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) {
    headers["content-type"] = opts.type ?? "application/json";
    headers["content-length"] = String(opts.length ?? Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // a page, not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    // the server may answer 413 and close while we still write: the answer counts
    req.on("error", reject);
    req.end(opts.body);
  });
}

t.test("console - bad requests are refused with a clear 4xx and nothing is done", async (t) => {
  const [port] = await freePorts(1);
  const backend = new FakeBackend();
  const server = new ConsoleServer({ host: "127.0.0.1", port: port! }, backend, createLog("console-test", "error"));
  await server.start();
  t.teardown(() => server.close());
  const post = (body: unknown, token: string | undefined = TOKEN) => ask(port!, "POST", "/api/action", { token, body: typeof body === "string" ? body : JSON.stringify(body) });

  const page = await ask(port!, "GET", "/");
  t.equal(page.status, 200, "the page is served without a token");
  t.match(page.headers["content-security-policy"], /default-src 'self'/, "with a policy that loads nothing from elsewhere");
  t.equal((await ask(port!, "GET", "/console.js")).status, 200, "its script too");
  t.equal((await ask(port!, "GET", "/../../etc/passwd")).status, 404, "and nothing else");

  const missing = await ask(port!, "GET", "/api/status");
  t.equal(missing.status, 401, "no token: 401");
  t.match(missing.body.error, /token is missing/);
  const wrong = await ask(port!, "GET", "/api/status", { token: "b".repeat(43) });
  t.equal(wrong.status, 401, "wrong token: 401");
  t.match(wrong.body.error, /wrong operator token/);
  t.equal((await post({ action: "backup.take", realm: "Fortrax" }, "nope")).status, 401, "an action with a wrong token: 401");
  t.equal((await ask(port!, "GET", "/api/status", { token: "x".repeat(5000) })).status, 401, "an absurdly long token: 401");

  const forged: [string, unknown, RegExp][] = [
    ["not JSON", "{action:", /not valid JSON/],
    ["no action", { realm: "Fortrax" }, /action: expected one of/],
    ["an unknown action", { action: "shell.exec", cmd: "rm -rf /" }, /unknown action "shell.exec"/],
    ["a number where a realm name goes", { action: "backup.take", realm: 7 }, /realm: expected a realm name/],
    ["a string where a snapshot id goes", { action: "backup.verify", realm: "Fortrax", snapshotId: "1; DROP TABLE" }, /snapshotId/],
    ["an extra key", { action: "player.kick", name: "Arthur", also: "ban" }, /also: unknown key/],
    ["a missing key", { action: "node.restart" }, /node: missing key/],
    ["a negative warning time", { action: "realm.restart", realm: "Fortrax", inSeconds: -5 }, /inSeconds/],
    ["a list instead of a map", [{ action: "backup.take", realm: "Fortrax" }], /action: expected one of/],
    ["a prototype key", '{"action":"__proto__"}', /unknown action/],
  ];
  for (const [what, body, why] of forged) {
    const r = await post(body);
    t.equal(r.status, 400, `${what}: 400`);
    t.match(r.body.error, why, `${what}: says why (${r.body.error})`);
  }
  t.equal((await ask(port!, "POST", "/api/action", { token: TOKEN, body: "realm=Fortrax", type: "application/x-www-form-urlencoded" })).status, 415, "a form post: 415");
  const big = await post(JSON.stringify({ action: "notice", realm: "Fortrax", text: "x".repeat(MAX_BODY_BYTES) }));
  t.equal(big.status, 413, "an oversized body: 413");
  const lying = await ask(port!, "POST", "/api/action", { token: TOKEN, body: "{}", length: 8 << 20 }).catch((err: Error) => ({ status: 413, body: { error: err.message }, headers: {} }));
  t.equal(lying.status, 413, "a body declared at 8 MiB: 413 before it is read");
  t.equal((await ask(port!, "GET", "/api/action", { token: TOKEN })).status, 405, "GET on the action endpoint: 405");
  t.equal((await ask(port!, "GET", "/api/secrets", { token: TOKEN })).status, 404, "an unknown view: 404");
  t.same(backend.done, [], "no forged request reached an action");
  t.ok(backend.audited.length >= forged.length && backend.audited.every((a) => !a.ok), "each forged action with a good token is audited as refused");

  const good = await post({ action: "backup.take", realm: "Fortrax" });
  t.equal(good.status, 200, "after all that the console still serves: a good action passes");
  t.same(backend.done, [{ action: "backup.take", realm: "Fortrax" }], "and is carried out once");
  t.match(backend.audited.at(-1), { action: "backup.take", target: { realm: "Fortrax" }, ok: true, result: "did backup.take", tokenId: "1" }, "and audited: who, what, result");

  backend.lead = false;
  const follower = await ask(port!, "GET", "/api/status", { token: TOKEN });
  t.equal(follower.status, 503, "a follower does not answer");
  t.match(follower.body, { notLeader: true, leader: "REVIVER-2", console: "127.0.0.1:1" }, "it names the leader and its console");
  t.match(follower.body.error, /REVIVER-2 does, its console is http:\/\/127\.0\.0\.1:1\//);
});
