// The backup node's snapshots through the operator CLI, against real database and backup nodes
// and embedded PostgreSQL: taken through pg-boss, verified, listed with their history, a
// tampered file caught by `backup verify`, and `backup restore` rewinding the realm.
import { closeSync, openSync, readSync, statSync, writeSync } from "node:fs";
import pg from "pg";
import t from "tap";
import { snapshotQueue } from "../../common/postgres/boss.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { runCli, until } from "../harness/realm.ts";

t.test("backup - snapshots are verified, listed, caught when tampered, and restore the realm", async (t) => {
  const pair = await DatabasePair.start(t, { postgres: true });
  pair.launch(pair.dbId);
  pair.launch(pair.backupId);
  await pair.waitServing(30_000);
  const db = pair.client;
  const cli = (...args: string[]) => runCli(["backup", ...args, "--config", pair.configFile]);

  const hero = await db.createCharacter("acct-1", "Isolde", 100, 100);
  await db.grantGold(hero.id, 500, "quest");
  const [sword] = await db.grantItems(hero.id, ["sword"], "dragon");
  await pair.waitReplicaCaughtUp(10_000);

  const now = await until("backups to be ready (PostgreSQL, pg-boss)", 30_000, () => {
    const r = cli("now");
    return r.code === 0 ? r : r.stderr.includes("not reachable yet") ? undefined : r;
  });
  t.equal(now.code, 0, `backup now succeeds: ${now.stderr}`);
  t.match(now.stdout, /\[snapshot (\d+)\] .*copying/, "progress names the steps");
  t.match(now.stdout, /snapshot \d+ verified: seq \d+/, "the snapshot is verified after it is written");
  const first = Number(/snapshot (\d+) verified/.exec(now.stdout)?.[1]);

  const listed = cli("list", "--json");
  t.equal(listed.code, 0);
  const rows = JSON.parse(listed.stdout) as { id: number; state: string; trigger: string; sha256: string; counts: Record<string, number> }[];
  const row = rows.find((r) => r.id === first)!;
  t.equal(row.state, "verified");
  t.equal(row.trigger, "operator");
  t.match(row.sha256, /^[0-9a-f]{64}$/, "its checksum is recorded");
  t.equal(row.counts.characters, 1, "its counts are recorded");
  t.match(cli("list").stdout, /ID\s+STATE\s+TRIGGER/, "a table for people");

  // pg-boss holds the schedule and the job history
  const client = new pg.Client({ connectionString: pair.postgres!.url });
  await client.connect();
  t.teardown(() => client.end());
  const schedule = await client.query("SELECT cron FROM pgboss.schedule WHERE name = $1", [snapshotQueue(pair.realm.name)]);
  t.equal(schedule.rows[0]?.cron, "*/10 * * * *", "the cron schedule comes from backup.every (10m)");
  const jobs = await client.query(
    "SELECT state FROM pgboss.job WHERE name = $1 UNION ALL SELECT state FROM pgboss.archive WHERE name = $1",
    [snapshotQueue(pair.realm.name)],
  );
  t.ok(jobs.rows.some((r) => r.state === "completed"), "the snapshot ran as a pg-boss job, kept as history");

  t.equal(cli("verify", String(first)).code, 0, "an untouched snapshot verifies");

  // a change after the snapshot, then a second snapshot, then another change
  await db.grantGold(hero.id, 250, "quest");
  await pair.waitReplicaCaughtUp(10_000);
  const second = Number(/snapshot (\d+) verified/.exec(cli("now").stdout)?.[1]);
  t.ok(second > first, "a second snapshot");
  await db.sinkGold(hero.id, 700, "repairs");
  t.equal((await db.loadCharacter(hero.id)).gold, 50);

  // one byte changed in the middle of the first snapshot's file
  const file = `${pair.dataOf(pair.backupId)}/snapshots/snapshot-${first}.mdb`;
  const fd = openSync(file, "r+");
  const at = Math.floor(statSync(file).size / 2);
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
  const tampered = cli("verify", String(first));
  t.equal(tampered.code, 1, "verify fails on the tampered snapshot");
  t.match(tampered.stderr, /TAMPERED: checksum/, "and says why");
  t.match(cli("list").stdout, new RegExp(`${first}\\s+tampered`), "the list shows it tampered");
  const refused = cli("restore", String(first), "--yes");
  t.equal(refused.code, 1, "a tampered snapshot is never restored");
  t.equal(cli("restore", String(second)).code, 2, "restore asks for --yes");

  const restored = cli("restore", String(second), "--yes");
  t.equal(restored.code, 0, `restore succeeds: ${restored.stderr}`);
  t.match(restored.stdout, /fetching the snapshot/, "restore shows its progress");
  const back = await db.loadCharacter(hero.id);
  t.equal(back.gold, 750, "the realm is back at the second snapshot (the sink after it is undone)");
  t.same(back.inventory, [sword], "with its items");
  const check = await db.check();
  t.equal(check.problems, 0, "and its invariants hold");
  const stats = await db.stats();
  await until("the replica to start over from the restored database", 20_000, async () => {
    const s = await db.stats();
    return s.replicaSeq === s.seq && s.generation === stats.generation ? true : undefined;
  });
  t.ok(pair.lines(pair.backupId).some((l) => l.event === "replica-starting-over"), "the replica copied the restored database");
  await db.grantGold(hero.id, 1, "after the restore");
  t.equal((await db.loadCharacter(hero.id)).gold, 751, "and the realm serves on");
});
