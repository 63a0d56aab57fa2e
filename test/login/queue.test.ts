// A full realm queues new players and admits them in order as places free; the queue lives in
// PostgreSQL, so a login node killed and restarted in between changes nothing.
import t from "tap";
import { createAccounts, login, postgresOf, request, startFrontDoor, type HttpAnswer } from "../harness/front-door.ts";
import { until } from "../harness/realm.ts";

const PASSWORD = "correct horse battery";
const CAP = 2;

const realm = await startFrontDoor(t, {
  edit: (doc) => {
    doc.realms[0].player_cap = CAP;
  },
});
const db = postgresOf(t, realm);
const [login1, login2] = realm.config.login.nodes as [(typeof realm.config.login.nodes)[0], (typeof realm.config.login.nodes)[0]];

const poll = (node: typeof login1, ticket: string): Promise<HttpAnswer> => request(node, "GET", `/queue/${ticket}`);

t.test("queue - a full realm queues players and admits them in order, across a login node restart", async (t) => {
  const names = await createAccounts(db, "Queued", 6, PASSWORD);
  const [a, b, c, d, e] = names as [string, string, string, string, string];
  const inA = await login(login1, a, PASSWORD);
  const inB = await login(login2, b, PASSWORD);
  t.equal(inA.status, 200, inA.text);
  t.equal(inB.status, 200, inB.text);

  const tickets: Record<string, string> = {};
  for (const [i, name] of [c, d, e].entries()) {
    const r = await login(i % 2 === 0 ? login1 : login2, name, PASSWORD);
    t.equal(r.status, 202, `${name} waits: ${r.text}`);
    t.equal(r.body.queue.position, i + 1, `${name} is number ${i + 1}`);
    t.ok(r.body.queue.etaSeconds === null, "no ETA before anybody was admitted");
    t.match(r.body.ticket, /^[A-Za-z0-9_-]{43}$/);
    tickets[name] = r.body.ticket;
  }
  const list = await until("the realm listed as full", 3000, async () => {
    const r = await request(login2, "GET", "/realms");
    const fortrax = r.body.realms.find((x: { name: string }) => x.name === "Fortrax");
    return fortrax.status === "full" ? fortrax : undefined;
  });
  t.match(list, { status: "full", population: CAP, cap: CAP, queue: 3 });

  // logging in again while queued keeps the place in line, under a new ticket
  const again = await login(login2, e, PASSWORD);
  t.equal(again.status, 202);
  t.equal(again.body.queue.position, 3, "the same place in line");
  t.equal((await poll(login1, tickets[e]!)).status, 404, "the old ticket is void");
  tickets[e] = again.body.ticket;

  // a place frees: the player behind must not overtake the one in front
  t.equal((await request(login1, "POST", "/logout", { session: inA.body.session })).status, 200);
  const early = await poll(login2, tickets[d]!);
  t.equal(early.status, 202, "number 2 polling first is not admitted");
  t.equal(early.body.queue.position, 2);
  const admitted = await poll(login1, tickets[c]!);
  t.equal(admitted.status, 200, `number 1 is admitted: ${admitted.text}`);
  t.match(admitted.body, { realm: "Fortrax", session: /^[A-Za-z0-9_-]{43}$/, client: /^ws:\/\/127\.0\.0\.1:\d+\/$/ }, "with the body of a login");
  t.equal((await poll(login2, tickets[c]!)).status, 410, "a ticket admits once");
  const next = await poll(login2, tickets[d]!);
  t.equal(next.body.queue.position, 1, "the next one moves up");
  t.type(next.body.queue.etaSeconds, "number", "an ETA once someone was admitted");

  // the login node restarts (kill -9, the reviver brings it back): the queue is where it was
  const before = await realm.node(login1.id);
  process.kill(before!.pid!, "SIGKILL");
  await realm.waitFor(`${login1.id} back up`, 20_000, (nodes) => nodes.some((n) => n.id === login1.id && n.state === "up" && n.pid !== before!.pid));
  await until(`${login1.id} serving HTTP`, 10_000, async () => ((await request(login1, "GET", "/health").catch(() => undefined))?.status === 200 ? true : undefined));
  const afterRestart = await poll(login1, tickets[e]!);
  t.equal(afterRestart.status, 202);
  t.equal(afterRestart.body.queue.position, 2, "the restarted node sees the same queue");

  t.equal((await request(login1, "POST", "/logout", { session: inB.body.session })).status, 200);
  t.equal((await poll(login1, tickets[e]!)).status, 202, "number 2 still waits");
  const third = await poll(login1, tickets[d]!);
  t.equal(third.status, 200, `number 1 gets the place through the restarted node: ${third.text}`);
  t.equal((await poll(login2, tickets[e]!)).body.queue.position, 1);

  const order = await db.query<{ name: string }>(
    "SELECT a.name FROM login_queue q JOIN accounts a ON a.id = q.account_id WHERE q.state = 'admitted' ORDER BY q.admitted_at",
  );
  t.same(
    order.rows.map((r) => r.name),
    [c, d],
    "admitted in the order they queued",
  );
});
