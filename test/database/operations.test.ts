// The operations' rules, against a real database node: a stale checkpoint changes nothing,
// names are unique per realm regardless of case, an account has at most 10 characters, and
// every refusal comes back as a code with a reason, never as a crash or a silence.
import t from "tap";
import { DbError } from "../../common/errors.ts";
import { Op } from "../../common/opcodes.ts";
import { DatabasePair } from "../harness/database-pair.ts";

const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "applied",
    (err: unknown) => (err instanceof DbError ? err.code : `threw ${String(err)}`),
  );

t.test("database - checkpoints, characters, mail and gold follow the rules and refuse with a code", async (t) => {
  const pair = await DatabasePair.start(t);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const db = pair.client;

  // characters
  const ada = await db.createCharacter("acct-a", "Adelheid", 100, 200);
  t.match(ada, { accountId: "acct-a", name: "Adelheid", level: 1, x: 100, y: 200 });
  t.equal(await refusal(db.createCharacter("acct-b", "ADELHEID", 1, 1)), "name-taken", "names are unique regardless of case");
  t.equal(await refusal(db.createCharacter("acct-b", "x", 1, 1)), "invalid-name");
  t.equal(await refusal(db.createCharacter("acct-b", "Faraway", -5, 1)), "out-of-world");
  for (let i = 1; i < 10; i++) await db.createCharacter("acct-a", `Alt ${String.fromCharCode(97 + i)}`, 1, 1);
  t.equal(await refusal(db.createCharacter("acct-a", "Eleventh", 1, 1)), "too-many-characters", "at most 10 characters per account");
  t.equal((await db.listCharacters("acct-a")).length, 10);
  t.same(await db.listCharacters("nobody"), []);
  const bob = await db.createCharacter("acct-b", "Bertrand", 1, 1);
  t.equal(await refusal(db.deleteCharacter("acct-b", ada.id)), "not-owner");
  t.equal(await refusal(db.deleteCharacter("acct-b", "C999999")), "not-found");
  t.equal(await refusal(db.loadCharacter("C999999")), "not-found");

  // checkpoints: versioned, a stale one changes nothing
  t.equal(await db.saveCheckpoint(ada.id, 5, { level: 3, x: 110, y: 210, stats: { hp: 80 } }), 5);
  t.equal(await refusal(db.saveCheckpoint(ada.id, 4, { level: 9, x: 999, y: 999, stats: { hp: 1 } })), "stale-checkpoint", "an older checkpoint is refused");
  t.equal(await refusal(db.saveCheckpoint(ada.id, 5, { level: 9, x: 999, y: 999, stats: { hp: 1 } })), "stale-checkpoint", "so is one of the same number");
  const loaded = await db.loadCharacter(ada.id);
  t.match(loaded, { level: 3, x: 110, y: 210, stats: { hp: 80 }, version: 5 }, "the newer checkpoint stays");
  t.equal(await refusal(db.saveCheckpoint(ada.id, 6, { level: 3, x: 1e9, y: 0, stats: {} })), "out-of-world");

  // idempotency: the same id returns the first result, applies once; another kind under it is refused
  const first = await db.grantGold(ada.id, 40, "quest", "op-once");
  const again = await db.grantGold(ada.id, 40, "quest", "op-once");
  t.equal(first, 40);
  t.equal(again, 40, "a repeat returns the first result");
  t.equal((await db.loadCharacter(ada.id)).gold, 40, "and applies nothing");
  t.equal(await refusal(db.sinkGold(ada.id, 1, "x", "op-once")), "op-id-reused");

  // gold and items: semantic checks
  t.equal(await refusal(db.grantGold(ada.id, -5, "bug")), "invalid-amount", "negative gold is refused");
  t.equal(await refusal(db.grantGold(ada.id, 1.5, "bug")), "invalid-amount");
  t.equal(await refusal(db.sinkGold(ada.id, 41, "vendor")), "insufficient-gold");
  t.equal(await refusal(db.grantItems("C999999", ["axe"], "x")), "not-found");
  t.equal(await refusal(db.grantItems(ada.id, [], "x")), "invalid-request");
  const [axe] = await db.grantItems(ada.id, ["axe"], "troll");
  t.equal(await refusal(db.moveItem(axe!, bob.id, ada.id)), "not-owner", "a move checks the current owner");
  await db.moveItem(axe!, ada.id, bob.id);
  t.same((await db.loadCharacter(bob.id)).inventory, [axe], "one field changed: the owner");
  t.equal(await refusal(db.trade({ characterId: ada.id, items: [axe!], gold: 0 }, { characterId: bob.id, items: [], gold: 0 })), "not-owner");
  t.equal(await refusal(db.trade({ characterId: ada.id, items: [], gold: 500 }, { characterId: bob.id, items: [axe!], gold: 0 })), "insufficient-gold");
  t.same((await db.loadCharacter(bob.id)).inventory, [axe], "a refused trade moves nothing");

  // mail: the attachment belongs to the mail until taken
  const mailId = await db.sendMail(ada.id, bob.id, "for you", { gold: 15 });
  t.equal((await db.loadCharacter(ada.id)).gold, 25);
  const [letter] = await db.listMail(bob.id);
  t.match(letter, { id: mailId, from: ada.id, gold: 15, taken: false });
  t.equal(await refusal(db.takeMail(ada.id, mailId)), "not-owner");
  t.equal(await db.takeMail(bob.id, mailId), 15);
  t.equal(await refusal(db.takeMail(bob.id, mailId)), "already-taken");
  const parcel = await db.sendMail(bob.id, ada.id, "your axe back", { itemId: axe! });
  t.same((await db.loadCharacter(bob.id)).inventory, [], "the item left the sender");
  t.same((await db.loadItems([axe!]))[0]?.owner, parcel, "the mail holds it");
  await db.takeMail(ada.id, parcel);
  t.same((await db.loadCharacter(ada.id)).inventory, [axe]);

  // deleting a character sinks what it holds
  await db.deleteCharacter("acct-a", ada.id);
  t.equal(await refusal(db.loadCharacter(ada.id)), "not-found");
  const check = await db.check();
  t.equal(check.problems, 0, "the invariants hold");
  t.equal(check.goldHeld, check.granted - check.sunk, "the deleted gold counts as sunk");
  t.equal(check.goldHeld, 15);

  // wrong types never reach the node's logic (the codec drops them); the node keeps serving
  pair.wire.send(pair.dbId, Op.DB_GRANT_GOLD, { corr: 1, opId: "x", characterId: bob.id, amount: "lots", source: "x" } as never);
  t.equal((await db.loadCharacter(bob.id)).gold, 15, "the node still serves after a malformed frame");
});
