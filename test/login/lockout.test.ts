// Failed logins are counted in PostgreSQL per account name and per address, so both login nodes
// enforce one count: past the limit every login of that name (or from that address) gets a 429.
import t from "tap";
import { ACCOUNT_LIMIT, IP_LIMIT } from "../../nodes/login/brute-force.ts";
import { createAccounts, login, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { until } from "../harness/realm.ts";

const PASSWORD = "correct horse battery";

const realm = await startFrontDoor(t);
const db = postgresOf(t, realm);
const nodes = realm.config.login.nodes;
const nodeFor = (i: number): (typeof nodes)[0] => nodes[i % nodes.length]!;

t.test("lockout - repeated wrong passwords lock the account on both login nodes, right password included", async (t) => {
  const [victim, bystander] = await createAccounts(db, "Locked", 2, PASSWORD);
  for (let i = 0; i < ACCOUNT_LIMIT.max; i++) {
    const r = await login(nodeFor(i), victim!, `guess ${i}`);
    t.equal(r.status, 401, `guess ${i + 1} through ${nodeFor(i).id}: 401`);
  }
  for (const node of nodes) {
    const r = await login(node, victim!, PASSWORD);
    t.equal(r.status, 429, `${node.id} refuses even the right password: ${r.text}`);
    const wait = Number(r.headers["retry-after"]);
    t.ok(wait > ACCOUNT_LIMIT.lockSeconds - 30 && wait <= ACCOUNT_LIMIT.lockSeconds, `Retry-After ${wait} s`);
    t.match(r.body, { error: /too many failed logins/ });
  }
  const other = await login(nodeFor(1), bystander!, PASSWORD);
  t.equal(other.status, 200, "another account from the same address still logs in");

  // an unknown name locks the same way: a lockout says nothing about whether the account exists
  for (let i = 0; i < ACCOUNT_LIMIT.max; i++) t.equal((await login(nodeFor(i), "Ghostly", `guess ${i}`)).status, 401);
  t.equal((await login(nodeFor(1), "Ghostly", PASSWORD)).status, 429, "an unknown name is locked alike");

  const rows = await db.query("SELECT failures, locked_until > now() AS locked FROM login_failures WHERE scope = 'account' AND key = $1", [victim!.toLowerCase()]);
  t.match(rows.rows[0], { failures: ACCOUNT_LIMIT.max, locked: true }, "the count is one row in PostgreSQL, shared by the nodes");
});

t.test("lockout - an address spraying many names is locked for every name", async (t) => {
  const [innocent] = await createAccounts(db, "Sprayed", 1, PASSWORD);
  const counted = await db.query<{ failures: number }>("SELECT failures FROM login_failures WHERE scope = 'ip' AND key = '127.0.0.1'");
  const remaining = IP_LIMIT.max - (counted.rows[0]?.failures ?? 0);
  t.ok(remaining > 0, `${remaining} failures left before the address locks`);
  // 4 at a time: both nodes, both cores busy hashing
  for (let i = 0; i < remaining; i += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, remaining - i) }, (_, k) => login(nodeFor(i + k), `Spray${i + k}x`, "guess").then((r) => t.equal(r.status, 401))),
    );
  }
  for (const node of nodes) {
    const r = await login(node, innocent!, PASSWORD);
    t.equal(r.status, 429, `${node.id}: the address is locked, even for a right password`);
    t.ok(Number(r.headers["retry-after"]) > 0, "with Retry-After");
  }
});

t.test("lockout - every attempt reaches the login audit through pg-boss", async (t) => {
  const outcomes = await until("audit rows for refused and locked-out attempts", 15_000, async () => {
    const { rows } = await db.query<{ outcome: string; n: number }>("SELECT outcome, count(*)::int AS n FROM login_audit GROUP BY outcome");
    const byOutcome = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
    return (byOutcome["locked-out"] ?? 0) >= 5 && (byOutcome["bad-credentials"] ?? 0) >= IP_LIMIT.max - 1 ? byOutcome : undefined;
  });
  t.ok((outcomes.admitted ?? 0) >= 1, "the successful login is audited too");
  const nodesSeen = await db.query("SELECT DISTINCT login_node FROM login_audit ORDER BY 1");
  t.same(
    nodesSeen.rows.map((r) => r.login_node),
    nodes.map((n) => n.id).sort(),
    "both login nodes audit",
  );
});
