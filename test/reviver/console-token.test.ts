// The console of a live realm over plain HTTP: the token REALM_CONSOLE_TOKEN set at the first
// start, refusals that leave the realm untouched (and are audited), the follower naming the
// leader, a notice and a planned restart through the console, and a new token from the CLI.
import t from "tap";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { TOKEN_ENV } from "../../common/operator/console-token.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { enterWorld } from "../harness/players.ts";
import { runCli, until } from "../harness/realm.ts";

const TOKEN = "console-test-token-0123456789abcdef-0123";
const ALL_KINDS = ["reviver", "login", "realm", "client", "zone", "instance", "database", "backup"];

t.test("console - env token, refusals that change nothing, the follower, a notice, a restart planned and cancelled, a new token", async (t) => {
  const before = process.env[TOKEN_ENV];
  process.env[TOKEN_ENV] = TOKEN;
  let realm;
  try {
    realm = await startFrontDoor(t, { kinds: ALL_KINDS });
  } finally {
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
  const status = await realm.waitAllUp(30_000);
  const consoleOf = (id: string): string => {
    const at = realm.config.revivers.find((r) => r.id === id)?.console;
    return `http://${at?.host}:${at?.port}`;
  };
  const leader = consoleOf(status.reviver);
  const followerId = realm.config.revivers.find((r) => r.id !== status.reviver)!.id;
  const ask = async (base: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, { method: opts.body === undefined ? "GET" : "POST", headers, body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const act = (body: unknown, token = TOKEN) => ask(leader, "/api/action", { token, body });

  t.equal(realm.output.match(/operator console: \S+ token/), null, "a chosen token is not printed: the operator knows it");
  const ok = await ask(leader, "/api/status", { token: TOKEN });
  t.equal(ok.status, 200, "REALM_CONSOLE_TOKEN logs in");
  t.equal(ok.body.nodes.length, status.nodes.length, "and the status lists every node");

  const follower = await ask(consoleOf(followerId), "/api/status", { token: TOKEN });
  t.equal(follower.status, 503, `the follower ${followerId} does not serve`);
  t.match(follower.body, { notLeader: true, leader: status.reviver, console: leader.slice("http://".length) }, "and names the leader and its console");

  t.equal((await ask(leader, "/api/status")).status, 401, "no token: 401");
  t.equal((await act({ action: "node.restart", node: "FORTRAX-DB" }, "guess")).status, 401, "a wrong token cannot act: 401");
  const refusals: [unknown, number, RegExp][] = [
    [{ action: "node.restart", node: "NO-SUCH-NODE" }, 404, /no node NO-SUCH-NODE/],
    [{ action: "node.restart", node: status.reviver }, 409, /serves this console/],
    [{ action: "backup.take", realm: "Atlantis" }, 404, /no realm "Atlantis"/],
    [{ action: "player.kick", name: "nobody_here" }, 404, /no account named nobody_here/],
    [{ action: "node.restart", node: ["FORTRAX-DB"] }, 400, /node: expected a node id/],
    [{ action: "drop.tables" }, 400, /unknown action/],
    [JSON.stringify({ action: "notice", realm: "Fortrax", text: "x".repeat(40_000) }), 413, /over 16384 bytes/],
  ];
  for (const [body, code, why] of refusals) {
    const r = await act(body);
    t.equal(r.status, code, `${JSON.stringify(body).slice(0, 60)}: ${code}`);
    t.match(r.body?.error, why, `says why: ${r.body?.error}`);
  }
  const after = await realm.status();
  t.ok(after?.nodes.every((n) => n.state === "up" && n.restarts === 0), "nothing was restarted: every node up, no restarts");

  const [name] = await createAccounts(postgresOf(t, realm), "listener", 1, "correct horse");
  const { bot } = await enterWorld(t, realm, name!, "correct horse", ["Hearer"]);
  const notice = await act({ action: "notice", realm: "Fortrax", text: "Maintenance at noon." });
  t.equal(notice.status, 200, notice.body?.message);
  await until("the player to get the console's notice", 5000, () => bot.messages.find((m) => m.op === PlayerOp.SMSG_NOTICE && m.text === "Maintenance at noon."));
  t.pass("a player in the world got the notice");

  // the map's density: players per cell, counted by the zones themselves
  const d = await until("the player in the map's density", 5000, async () => {
    const r = await ask(leader, "/api/density?realm=Fortrax", { token: TOKEN });
    return r.status === 200 && r.body.cells.length > 0 ? r.body : undefined;
  });
  t.same(d.missing, [], "every zone answered");
  t.same(d.cells.map(([, n]: [number, number]) => n), [1], `one cell holds the one player (cell ${d.cells[0][0]} of ${d.cols} columns)`);
  t.equal((await ask(leader, "/api/density?realm=Nowhere", { token: TOKEN })).status, 404, "an unknown realm: 404");
  t.equal((await ask(leader, "/api/density?realm=Fortrax")).status, 401, "no token: 401");

  const planned = await act({ action: "realm.restart", realm: "Fortrax", inSeconds: 600 });
  t.equal(planned.status, 200, planned.body?.message);
  t.match(planned.body?.message, /restart of Fortrax at .*players are being warned/);
  await until("the player to be warned of the restart", 5000, () => bot.messages.find((m) => m.op === PlayerOp.SMSG_NOTICE && /restarts in 10 minutes/.test(m.text)));
  t.pass("the player is warned 10 minutes ahead");
  const cancelled = await act({ action: "realm.restart.cancel", realm: "Fortrax" });
  t.equal(cancelled.status, 200, cancelled.body?.message);
  t.equal((await act({ action: "realm.restart.cancel", realm: "Fortrax" })).status, 409, "cancelling twice: 409, nothing planned");

  const db = postgresOf(t, realm);
  const audit = await db.query<{ action: string; ok: boolean; result: string; ip: string }>("SELECT action, ok, result, ip FROM console_audit ORDER BY id");
  t.equal(audit.rows.filter((r) => !r.ok).length, refusals.length + 1, "every refused action with a good token is audited as refused");
  t.same(audit.rows.filter((r) => r.ok).map((r) => r.action), ["notice", "realm.restart", "realm.restart.cancel"], "and every action done, in order");
  t.ok(audit.rows.every((r) => r.ip.length > 0), "with the address it came from");

  const reset = runCli(["console", "token", "--reset", "--config", realm.configFile]);
  t.equal(reset.code, 0, `the CLI resets the token ${reset.stderr}`);
  const fresh = /new operator token: (\S+)/.exec(reset.stdout)?.[1];
  t.ok(fresh && fresh.length >= 43, "realm console token --reset prints a new token");
  t.match(reset.stdout, /log in at http:\/\//, "and where to log in");
  t.equal((await ask(leader, "/api/status", { token: TOKEN })).status, 401, "the old token no longer works");
  t.equal((await ask(leader, "/api/status", { token: fresh })).status, 200, "the new one does");
  const restarted = await ask(leader, "/api/action", { token: fresh, body: { action: "node.restart", node: "FORTRAX-BACKUP" } });
  t.equal(restarted.status, 200, `a node restarted from the console: ${restarted.body?.message}`);
  const back = await realm.waitFor("FORTRAX-BACKUP back after the operator's restart", 30_000, (nodes) =>
    nodes.some((n) => n.id === "FORTRAX-BACKUP" && n.state === "up" && n.history.at(-1)?.cause === "operator restart: asked from the console" && n.history.at(-1)?.recoveredMs !== undefined),
  );
  t.ok(back, "it is up again, its restart recorded as the operator's with its recovery time");
  const stored = await db.query<{ n: string }>("SELECT count(*) AS n FROM console_tokens WHERE token_hash = convert_to($1, 'UTF8') OR token_hash = convert_to($2, 'UTF8')", [TOKEN, fresh]);
  t.equal(Number(stored.rows[0]?.n), 0, "no token is stored in clear");
});
