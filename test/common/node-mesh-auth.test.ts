// The node mesh against a real database node on CURVE (common/mesh/): a process with no key, one
// with a key the realm never listed, one with a valid key of the wrong kind (who may send what:
// common/protocol/senders.ts) and one claiming another node's id each try DB_GRANT_GOLD,
// NODE_DOWN, SESSION_KICK and PLAYER_NOTICE. All are refused and logged, nothing changes, and the
// node keeps serving.
import { spawn } from "node:child_process";
import path from "node:path";
import t from "tap";
import { ROOT } from "../../common/launch.ts";
import { Op, opName } from "../../common/opcodes.ts";
import { SENDERS, maySend } from "../../common/protocol/senders.ts";
import { DatabasePair } from "../harness/database-pair.ts";

const TSX = import.meta.resolve("tsx");

/** Runs the foreign sender to its end; the child is killed at teardown if it hangs. */
function foreign(t: { teardown(fn: () => void): void }, pair: DatabasePair, id: string, characterId: string, key = "own"): Promise<{ out: string; code: number | null }> {
  const script = path.join(ROOT, "test", "fixtures", "foreign-sender.ts");
  const child = spawn(process.execPath, ["--import", TSX, script, pair.configFile, id, pair.dbId, characterId, key], { stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(() => void child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ out, code })));
}

t.test("node mesh - the sender table names who may send the guarded opcodes", async (t) => {
  t.same(SENDERS.NODE_DOWN, ["reviver"], "only revivers say a node died");
  t.same(SENDERS.PLAYER_NOTICE, ["reviver"]);
  for (const kind of ["client", "login"] as const) t.notOk(maySend(kind, Op.DB_GRANT_GOLD), `a ${kind} node never grants gold`);
  t.ok(maySend("zone", Op.DB_GRANT_GOLD), "a zone does (loot)");
  t.same(SENDERS.SESSION_KICK, ["realm"], "only the realm node kicks a session");
  t.ok(maySend("tool", Op.DB_CHECK), "tools are not limited by kind");
});

const GUARDED = [Op.NODE_DOWN, Op.SESSION_KICK, Op.PLAYER_NOTICE, Op.DB_GRANT_GOLD];

t.test("node mesh - processes without a listed key, or with a key not their id's, are refused", async (t) => {
  const pair = await DatabasePair.serving(t);
  t.ok(pair.config.mesh, "the shipped realm runs its mesh on CURVE");
  const db = pair.client;
  const bob = await db.createCharacter("acct-b", "Bertrand", 1, 1);
  await db.grantGold(bob.id, 40, "test");
  const client = pair.config.clientNodes[0]!.id;
  const reviver = pair.config.revivers[0]!.id;
  const zone = pair.realm.zones[0]!.id;

  for (const key of ["none", "stranger"]) {
    const run = await foreign(t, pair, reviver, bob.id, key);
    t.same(JSON.parse(run.out.trim()), { error: "TimeoutError" }, `${key === "none" ? "no key" : "an unlisted key"}: DB_GRANT_GOLD is never answered`);
  }
  await pair.waitForLine(pair.dbId, "the keyless handshake refused", 5000, (l) => l.event === "peer-refused" && /handshake/.test(String(l.why)));
  await pair.waitForLine(pair.dbId, "the unlisted key refused by ZAP", 5000, (l) => l.event === "peer-refused" && /allow-list/.test(String(l.why)));

  // a client node's key claiming to be a reviver, then a zone (which may grant gold): the id is not proven
  for (const claimed of [reviver, zone]) {
    const run = await foreign(t, pair, claimed, bob.id, client);
    t.same(JSON.parse(run.out.trim()), { error: "TimeoutError" }, `${client}'s key as ${claimed}: never answered`);
    await pair.waitForLine(pair.dbId, `${claimed} not proven`, 5000, (l) => l.event === "frame-refused" && /does not prove/.test(String(l.why)));
  }
  t.equal((await db.loadCharacter(bob.id)).gold, 40, "nothing changed: the gold read back");
  t.ok(pair.alive(pair.dbId), "the database node is still running");
  t.equal((await db.listCharacters("acct-b")).length, 1, "and a legitimate request is still answered");
  const logged = pair.lines(pair.dbId).filter((l) => l.event === "peer-refused" || l.event === "frame-refused").length;
  t.ok(logged < 40, `refusals are logged once per peer and cause, then at powers of two (${logged} lines)`);
});

t.test("node mesh - a process claiming a node id of the wrong kind is refused and the node keeps serving", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const bob = await db.createCharacter("acct-b", "Bertrand", 1, 1);
  await db.grantGold(bob.id, 40, "test");

  // a client node's id and a login node's, each with its own valid key: neither kind may send any of the four
  for (const id of [pair.config.clientNodes[0]!.id, pair.config.login.nodes[0]!.id]) {
    const run = await foreign(t, pair, id, bob.id);
    t.equal(run.code, 0, `${id}'s forger ran to its end`);
    t.same(JSON.parse(run.out.trim()), { error: "TimeoutError" }, `${id}: DB_GRANT_GOLD is never answered`);
    for (const op of GUARDED) {
      await pair.waitForLine(pair.dbId, `${opName(op)} from ${id} refused`, 5000, (l) => l.event === "frame-refused" && l.from === id && l.op === opName(op));
    }
  }
  t.equal((await db.loadCharacter(bob.id)).gold, 40, "nothing changed: the gold read back");
  t.ok(pair.alive(pair.dbId), "the database node is still running");
  t.equal((await db.listCharacters("acct-b")).length, 1, "and a legitimate request is still answered");
});
