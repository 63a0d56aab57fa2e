// The realm node places each login on the client node with the fewest players, counting the
// players it just sent there: 100 logins in a burst split evenly over 2 client nodes. A client
// node killed with -9 (and, here, not brought back) stops reporting and gets no more players.
import t from "tap";
import { createAccounts, login, logLines, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { until } from "../harness/realm.ts";

const PASSWORD = "correct horse battery";
const TSX = import.meta.resolve("tsx");

// CLIENT-2 runs through a `restart:` command that starts it the first time only: once killed it
// stays dead, as a node on a lost host would, instead of being back within a second.
const realm = await startFrontDoor(t, {
  edit: (doc) => {
    doc.client_nodes[1].restart =
      `test -e "$REALM_DATA/CLIENT-2.started" && exit 0; touch "$REALM_DATA/CLIENT-2.started"; ` +
      `exec "${process.execPath}" --import "${TSX}" nodes/client/main.ts --config "$REALM_CONFIG" --node CLIENT-2 --data "$REALM_DATA"`;
  },
});
const db = postgresOf(t, realm);
const nodes = realm.config.login.nodes;
const urlOf = new Map(realm.config.clientNodes.map((c) => [`ws://${c.ws.host}:${c.ws.port}/`, c.id]));
const realmNode = realm.config.realms[0]!.realmNode.id;

async function logInAll(names: string[], concurrency = 8): Promise<Map<string, number>> {
  const placed = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      const r = await login(nodes[i % nodes.length]!, names[i]!, PASSWORD);
      if (r.status !== 200) throw new Error(`login of ${names[i]} through ${nodes[i % nodes.length]!.id}: ${r.status} ${r.text}`);
      const node = urlOf.get(r.body.client) ?? r.body.client;
      placed.set(node, (placed.get(node) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return placed;
}

t.test("placement - 100 logins through both login nodes spread evenly (±1) over 2 client nodes", async (t) => {
  const names = await createAccounts(db, "Crowd", 100, PASSWORD);
  const placed = await logInAll(names);
  const [one, two] = [placed.get("CLIENT-1") ?? 0, placed.get("CLIENT-2") ?? 0];
  t.comment(`CLIENT-1 ${one}, CLIENT-2 ${two}`);
  t.equal(one + two, 100, "every login placed on a configured client node");
  t.ok(Math.abs(one - two) <= 1, `${one} vs ${two}: within one`);
  const stored = await db.query<{ client_node: string; n: number }>(
    "SELECT client_node, count(*)::int AS n FROM sessions WHERE ended_at IS NULL GROUP BY client_node ORDER BY 1",
  );
  t.same(
    stored.rows.map((r) => [r.client_node, r.n]),
    [
      ["CLIENT-1", one],
      ["CLIENT-2", two],
    ],
    "PostgreSQL records the same placement",
  );
});

t.test("placement - a client node killed with -9 gets no more players once its reports stop", async (t) => {
  const victim = await realm.node("CLIENT-2");
  t.ok(victim?.pid, "CLIENT-2 runs");
  const killedAt = Date.now();
  process.kill(victim!.pid!, "SIGKILL");
  const lost = await until("the realm node to notice CLIENT-2's reports stopped", 10_000, () =>
    logLines(realm, realmNode).find((l) => l.event === "client-node-lost" && l.clientNode === "CLIENT-2" && Date.parse(String(l.t)) >= killedAt),
  );
  const silentMs = Date.parse(String(lost.t)) - killedAt;
  t.comment(`CLIENT-2 given up on ${silentMs} ms after kill -9`);
  // its last report came at most a second before the kill, and counts for 2.5 s
  t.ok(silentMs >= 1000, "not before its last report has aged past the limit");

  const again = await createAccounts(db, "Later", 30, PASSWORD);
  const placed = await logInAll(again);
  t.same(Object.fromEntries(placed), { "CLIENT-1": 30 }, "every login after that went to the live client node");
  const status = await realm.node("CLIENT-2");
  t.not(status?.state, "up", "and CLIENT-2 really is still dead");
});
