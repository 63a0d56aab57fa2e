// Who may send what (common/protocol/senders.ts), against a real database node: a process that
// claims a node id of the wrong kind has every forged frame refused and logged, changes nothing,
// and the node keeps serving. Sender ids are not yet bound to keys (CURVE, issue 13).
import { spawn } from "node:child_process";
import path from "node:path";
import t from "tap";
import { ROOT } from "../../common/launch.ts";
import { Op, opName } from "../../common/opcodes.ts";
import { SENDERS, maySend } from "../../common/protocol/senders.ts";
import { DatabasePair } from "../harness/database-pair.ts";

const TSX = import.meta.resolve("tsx");

/** Runs the foreign sender to its end; the child is killed at teardown if it hangs. */
function foreign(t: { teardown(fn: () => void): void }, pair: DatabasePair, id: string, characterId: string): Promise<{ out: string; code: number | null }> {
  const script = path.join(ROOT, "test", "fixtures", "foreign-sender.ts");
  const child = spawn(process.execPath, ["--import", TSX, script, pair.configFile, id, pair.dbId, characterId], { stdio: ["ignore", "pipe", "inherit"] });
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

t.test("node mesh - a process claiming a node id of the wrong kind is refused and the node keeps serving", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const bob = await db.createCharacter("acct-b", "Bertrand", 1, 1);
  await db.grantGold(bob.id, 40, "test");

  // a client node's id and a login node's: neither kind may send any of the four
  for (const id of [pair.config.clientNodes[0]!.id, pair.config.login.nodes[0]!.id]) {
    const run = await foreign(t, pair, id, bob.id);
    t.equal(run.code, 0, `${id}'s forger ran to its end`);
    t.same(JSON.parse(run.out.trim()), { error: "TimeoutError" }, `${id}: DB_GRANT_GOLD is never answered`);
    for (const op of [Op.NODE_DOWN, Op.SESSION_KICK, Op.PLAYER_NOTICE, Op.DB_GRANT_GOLD]) {
      await pair.waitForLine(pair.dbId, `${opName(op)} from ${id} refused`, 5000, (l) => l.event === "frame-refused" && l.from === id && l.op === opName(op));
    }
  }
  t.equal((await db.loadCharacter(bob.id)).gold, 40, "nothing changed: the gold read back");
  t.ok(pair.alive(pair.dbId), "the database node is still running");
  t.equal((await db.listCharacters("acct-b")).length, 1, "and a legitimate request is still answered");
});
