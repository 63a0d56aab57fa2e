// `realm account create|passwd|ban|unban|list` against a running realm's PostgreSQL (found
// through the postgres.url that `realm start` writes), the password piped in on stdin.
import { spawnSync } from "node:child_process";
import t from "tap";
import { login, logLines, startFrontDoor } from "../harness/front-door.ts";
import { CLI, REPO, until } from "../harness/realm.ts";

const realm = await startFrontDoor(t);
const node = realm.config.login.nodes[0]!;

function account(args: string[], stdin = ""): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [CLI, "account", ...args, "--config", realm.configFile], { cwd: REPO, input: stdin, encoding: "utf8", env, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

t.test("account cli - create, list, passwd, ban and unban, each seen by the login nodes", async (t) => {
  const created = account(["create", "Arthur"], "excalibur stone\n");
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /account Arthur created/);
  t.equal((await login(node, "Arthur", "excalibur stone")).status, 200, "the new account logs in");

  const dup = account(["create", "ARTHUR"], "another password\n");
  t.equal(dup.code, 1);
  t.match(dup.stderr, /already exists/, "names are unique whatever the case");
  t.equal(account(["create", "Bad Name"], "excalibur stone\n").code, 2, "a bad name is a usage error");
  t.equal(account(["create", "\u0410rthur"], "excalibur stone\n").code, 2, "so is a look-alike");
  const weak = account(["create", "Weakling"], "short\n");
  t.equal(weak.code, 2);
  t.match(weak.stderr, /at least 8/);
  t.match(account(["create", "Nopass"]).stderr, /no password/, "nothing on stdin: told how to give one");

  const list = account(["list", "--json"]);
  t.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { name: string; scrypt: string; banned: boolean; createdBy: string }[];
  t.match(rows.find((r) => r.name === "Arthur"), { scrypt: "N=2^14,r=8,p=1", banned: false, createdBy: "cli" }, "created with the shipped scrypt cost");
  t.match(account(["list"]).stdout, /^ID\s+NAME\s+CREATED\s+BY\s+BANNED\s+SCRYPT$/m, "a table for people");

  const changed = account(["passwd", "Arthur"], "lady of the lake\n");
  t.equal(changed.code, 0, changed.stderr);
  t.equal((await login(node, "Arthur", "excalibur stone")).status, 401, "the old password is refused");
  const live = await login(node, "Arthur", "lady of the lake");
  t.equal(live.status, 200, "the new one works");

  const banned = account(["ban", "Arthur", "--reason", "duping gold"]);
  t.equal(banned.code, 0, banned.stderr);
  t.match(banned.stdout, /Arthur banned \(duping gold\)\nFortrax: player kicked/);
  const clientNode = realm.config.clientNodes.find((c) => live.body.client === `ws://${c.ws.host}:${c.ws.port}/`)!.id;
  await until(`${clientNode} told to kick the banned player`, 5000, () =>
    logLines(realm, clientNode).find((l) => l.event === "session-kicked" && String(l.reason).includes("duping gold")),
  );
  const refused = await login(node, "Arthur", "lady of the lake");
  t.equal(refused.status, 403, "a banned account cannot log in, right password or not");
  t.match(refused.body, { error: /banned/ });
  t.equal((await login(node, "Arthur", "wrong password")).status, 401, "a wrong password still says only that");
  t.match(JSON.parse(account(["list", "--json"]).stdout).find((r: { name: string }) => r.name === "Arthur"), { banned: true, banReason: "duping gold" });
  t.match(account(["ban", "Arthur"]).stdout, /already banned/);

  t.equal(account(["unban", "Arthur"]).code, 0);
  t.equal((await login(node, "Arthur", "lady of the lake")).status, 200, "unbanned: back in");
  t.match(account(["unban", "Nobody"]).stderr, /no account named Nobody/);
});
