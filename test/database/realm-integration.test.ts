// The database and backup nodes inside a whole realm started by `realm start` (reviver, embedded
// PostgreSQL, every node): the heartbeat carries ops/s, replica lag and entries, `realm backup
// now` works against it, and a kill -9 of the database node is survived with nothing lost.
import t from "tap";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { runCli, TestRealm, until } from "../harness/realm.ts";

t.test("database - in a running realm: vitals in the heartbeat, backups from the CLI, kill -9 survived", async (t) => {
  const realm = await TestRealm.start(t);
  await realm.waitAllUp(90_000);
  const spec = realm.config.realms[0]!;
  const wire = realmWire(realm.config, "test-db-client", createLog("test", "error"));
  t.teardown(() => wire.close());
  const db = new DatabaseClient(wire, spec.database.id, { timeoutMs: 2000, retries: 2 });
  await until("the database to serve", 30_000, async () => ((await db.stats().catch(() => undefined))?.state === "serving" ? true : undefined));

  const hero = await db.createCharacter("acct-vitals", "Vitalis", 10, 10);
  for (let i = 0; i < 200; i++) await db.grantGold(hero.id, 1, "tick");
  // each node heartbeats on its own clock: wait until both have said the replica caught up
  const vitals = await realm.waitFor("database and backup vitals with the replica caught up", 20_000, (nodes) => {
    const v = nodes.find((n) => n.id === spec.database.id)?.vitals;
    const b = nodes.find((n) => n.id === spec.backup.id)?.vitals;
    return v !== undefined && (v.entries ?? 0) > 0 && v.replicaLagOps === 0 && (b?.replicaSeq ?? 0) > 200;
  });
  const v = vitals.nodes.find((n) => n.id === spec.database.id)!.vitals;
  for (const key of ["opsPerSec", "replicaLagOps", "replicaLagMs", "entries", "serving", "commitP99Ms", "flushLagMs"]) t.type(v[key], "number", `the database heartbeat carries ${key}`);
  t.equal(v.serving, 1);
  const b = vitals.nodes.find((n) => n.id === spec.backup.id)!.vitals;
  t.ok((b.replicaSeq ?? 0) > 200, "the backup heartbeat carries the replica's position");

  const now = await until("backups to be ready", 30_000, () => {
    const r = runCli(["backup", "now", "--config", realm.configFile]);
    return r.code === 0 ? r : r.stderr.includes("not reachable yet") ? undefined : r;
  });
  t.equal(now.code, 0, `realm backup now in a running realm: ${now.stderr}`);
  t.match(runCli(["backup", "list", "--config", realm.configFile]).stdout, /verified\s+operator/);

  const before = (await realm.node(spec.database.id))!;
  process.kill(before.pid!, "SIGKILL");
  await realm.waitFor("the database restarted by the reviver", 15_000, (nodes) => nodes.some((n) => n.id === spec.database.id && n.state === "up" && n.pid !== before.pid));
  t.equal(await db.grantGold(hero.id, 1, "after the crash"), 201, "every acknowledged grant survived, and the realm's database serves again");
  t.equal((await db.check()).problems, 0, "the invariants hold");
  const { leftovers } = await realm.stop();
  t.same(leftovers, [], "nothing left running");
});
