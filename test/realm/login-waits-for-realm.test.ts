// A login never fails just because its realm node is restarting: the login node holds the request
// while the realm node is silent, then answers with the queue's wait (202 and a ticket, polled
// as for a full realm) until the realm node is back; only a realm node silent for 30 s gets a 503.
// Here the realm node restarts through a `restart:` command that waits as long as the test says
// (the file realm.delay: seconds, or "down" to stay down), so the outage outlasts the hold.
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { REALM_WAIT_MS } from "../../nodes/login/realm-link.ts";
import { createAccounts, login, postgresOf, request, startFrontDoor } from "../harness/front-door.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const PASSWORD = "correct horse battery";
const TSX = import.meta.resolve("tsx");

const realm = await startFrontDoor(t, {
  edit: (doc) => {
    const id = doc.realms[0].realm.id;
    const start = `exec "${process.execPath}" --import "${TSX}" nodes/realm/main.ts --config "$REALM_CONFIG" --node ${id} --data "$REALM_DATA"`;
    doc.realms[0].realm.restart =
      `test -e "$REALM_DATA/realm.started" || { touch "$REALM_DATA/realm.started"; ${start}; }; ` +
      `d=$(cat "$REALM_DATA/realm.delay" 2>/dev/null || echo 0); [ "$d" = down ] && exit 0; sleep "$d"; ${start}`;
  },
});
const db = postgresOf(t, realm);
const realmNode = realm.config.realms[0]!.realmNode.id;
const [loginA, loginB] = realm.config.login.nodes as [(typeof realm.config.login.nodes)[0], (typeof realm.config.login.nodes)[0]];
const [patient, stubborn, latecomer] = (await createAccounts(db, "Waiter", 3, PASSWORD)) as [string, string, string];

/** Kills the realm node; the reviver's restart command then waits `delay` ("down": never comes back). */
async function killRealmNode(delay: string): Promise<number> {
  writeFileSync(path.join(realm.dataDir, "realm.delay"), delay);
  const victim = await realm.node(realmNode);
  if (!victim?.pid) throw new Error(`${realmNode} is not running`);
  process.kill(victim.pid, "SIGKILL");
  return Date.now();
}

t.test("login waits - a realm node down longer than the hold: the queue's wait answer, then in by polling", async (t) => {
  const killedAt = await killRealmNode("8");
  const first = await login(loginA, patient, PASSWORD);
  t.equal(first.status, 202, `held, then told to wait: ${first.text}`);
  t.match(first.body, { reason: "realm-restarting", ticket: /^[A-Za-z0-9_-]{43}$/, queue: { position: Number } }, "with a ticket to poll");
  t.ok(Number(first.headers["retry-after"]) > 0, "and Retry-After");
  t.comment(`first answer ${Date.now() - killedAt} ms after the kill`);
  const admitted = await until("the ticket admitted", 60_000, async () => {
    const r = await request(loginB, "GET", `/queue/${first.body.ticket}`);
    if (r.status === 200) return r;
    if (r.status !== 202) throw new Error(`poll: ${r.status} ${r.text}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return undefined;
  });
  t.comment(`admitted ${Date.now() - killedAt} ms after the kill`);
  t.match(admitted.body, { realm: "Fortrax", session: /^[A-Za-z0-9_-]{43}$/ }, "the poll answers with a login");
  const bot = await PlayerBot.connect(admitted.body.client, patient);
  t.teardown(() => bot.close());
  await bot.hello(admitted.body.session);
  t.pass("and the session attaches to its client node");
});

t.test("login waits - a realm node silent for 30 s is down: a clear 503", async (t) => {
  const killedAt = await killRealmNode("down");
  const first = await login(loginA, stubborn, PASSWORD);
  t.equal(first.status, 202, `within the bound the player waits: ${first.text}`);
  const refused = await until("the wait to end in a 503", REALM_WAIT_MS + 30_000, async () => {
    const r = await request(loginA, "GET", `/queue/${first.body.ticket}`);
    if (r.status === 503) return r;
    if (r.status !== 202) throw new Error(`poll: ${r.status} ${r.text}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return undefined;
  });
  const after = Date.now() - killedAt;
  t.ok(after >= REALM_WAIT_MS, `refused once the realm node was silent for the bound (${after} ms after the kill)`);
  t.match(refused.body, { error: /has not answered for \d+ s/ }, `a clear reason: ${refused.text}`);
  t.ok(Number(refused.headers["retry-after"]) > 0, "and Retry-After");
  const fresh = await login(loginA, latecomer, PASSWORD);
  t.equal(fresh.status, 503, `a new login is refused at once too: ${fresh.text}`);
});
