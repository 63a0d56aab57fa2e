// A player's characters through the realm node, asked as a client node would ask once the
// player's session attached: create, list, select (with the zone owning the character's
// position) and delete, stored by the realm's database node. Names are checked by the realm
// node (length, letters, one capital first, ASCII only) and kept unique by the database node.
import t from "tap";
import { Op } from "../../common/opcodes.ts";
import type { Reply, Request, RequestOp } from "../../common/protocol/index.ts";
import { zoneAt } from "../../nodes/realm/characters.ts";
import { clientNodeWire, createAccounts, login, postgresOf, startFrontDoor } from "../harness/front-door.ts";

const PASSWORD = "correct horse battery";

const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "database"] });
const db = postgresOf(t, realm);
const spec = realm.config.realms[0]!;
const realmNode = spec.realmNode.id;
const wire = clientNodeWire(t, realm.config, "TEST-CLIENT-CHARS");

function ask<O extends RequestOp>(op: O, body: Request<O>, via = wire): Promise<Reply<O>> {
  return via.request(realmNode, op, body, 8000);
}

/** Logs the account in and attaches its session from our stand-in client node; returns the account id. */
async function attached(name: string): Promise<string> {
  const r = await login(realm.config.login.nodes[0]!, name, PASSWORD);
  if (r.status !== 200) throw new Error(`login ${name}: ${r.text}`);
  const check = await ask(Op.REALM_SESSION_CHECK, { session: r.body.session });
  if (!check.ok || check.accountId === undefined) throw new Error(`attach ${name}: ${check.code}`);
  return check.accountId;
}

t.test("characters - create, list, select with its zone, delete: a round trip through the database node", async (t) => {
  const [alice] = await createAccounts(db, "Owner", 1, PASSWORD);
  const a = await attached(alice!);
  const empty = await ask(Op.CHAR_LIST, { accountId: a });
  t.equal(empty.ok, true);
  t.same(empty.characters, [], "no characters yet");

  const arthur = await ask(Op.CHAR_CREATE, { accountId: a, name: "Arthur" });
  t.equal(arthur.ok, true, JSON.stringify(arthur));
  t.match(arthur.character, { accountId: a, name: "Arthur", id: String });
  const merlin = await ask(Op.CHAR_CREATE, { accountId: a, name: "Merlin" });
  t.equal(merlin.ok, true, JSON.stringify(merlin));

  const list = await ask(Op.CHAR_LIST, { accountId: a });
  t.equal(list.ok, true);
  t.same(list.characters?.map((c) => c.name).sort(), ["Arthur", "Merlin"], "both listed");

  const zones = new Set<string>();
  for (const c of [arthur.character!, merlin.character!]) {
    const picked = await ask(Op.CHAR_SELECT, { accountId: a, characterId: c.id });
    t.equal(picked.ok, true, JSON.stringify(picked));
    t.equal(picked.zone, zoneAt(spec, c.x, c.y)?.id, `${c.name} at (${c.x}, ${c.y}) is routed to the zone owning that point`);
    zones.add(picked.zone!);
  }
  t.equal(zones.size, 2, "new characters start in the zones in turn");

  const gone = await ask(Op.CHAR_DELETE, { accountId: a, characterId: merlin.character!.id });
  t.equal(gone.ok, true, JSON.stringify(gone));
  t.same((await ask(Op.CHAR_LIST, { accountId: a })).characters?.map((c) => c.name), ["Arthur"], "deleted");
  t.match(await ask(Op.CHAR_SELECT, { accountId: a, characterId: merlin.character!.id }), { ok: false, code: "not-found" }, "a deleted character cannot be selected");
});

t.test("characters - names are checked: length, letters, one capital first, ASCII only, unique per realm", async (t) => {
  const [first, second] = await createAccounts(db, "Namer", 2, PASSWORD);
  const a = await attached(first!);
  const b = await attached(second!);
  const bad = [
    "Al",
    "Abcdefghijklmnopq",
    "arthur",
    "ArThur",
    "Art hur",
    "Arthur1",
    "O'Brien",
    "Robert'); DROP TABLE characters;--",
    "\u0410rthur",
    "\uff2derlin",
    "Zo\u00eb",
    "Arthur\u200b",
    "",
  ];
  for (const name of bad) {
    t.match(await ask(Op.CHAR_CREATE, { accountId: a, name }), { ok: false, code: "bad-name", error: String }, `${JSON.stringify(name)} refused`);
  }
  t.same((await ask(Op.CHAR_LIST, { accountId: a })).characters, [], "nothing stored");
  t.match(await ask(Op.CHAR_CREATE, { accountId: a, name: "Gawain" }), { ok: true, character: { name: "Gawain" } }, "a good name");
  t.match(await ask(Op.CHAR_CREATE, { accountId: a, name: "Percivaldemontes" }), { ok: true }, "16 letters is fine");
  t.match(await ask(Op.CHAR_CREATE, { accountId: b, name: "Gawain" }), { ok: false, code: "name-taken" }, "another account cannot take the name");
  t.same((await ask(Op.CHAR_LIST, { accountId: b })).characters, [], "nothing stored for the second account");
});

t.test("characters - only the client node holding the player's session acts for it, and only on its characters", async (t) => {
  const [owner, other, idle] = await createAccounts(db, "Guard", 3, PASSWORD);
  const a = await attached(owner!);
  const b = await attached(other!);
  const made = await ask(Op.CHAR_CREATE, { accountId: a, name: "Lancelot" });
  t.equal(made.ok, true);
  t.match(await ask(Op.CHAR_SELECT, { accountId: b, characterId: made.character!.id }), { ok: false, code: "not-owner" }, "another account cannot select it");
  t.match(await ask(Op.CHAR_DELETE, { accountId: b, characterId: made.character!.id }), { ok: false, code: "not-owner" }, "nor delete it");

  const stranger = clientNodeWire(t, realm.config, "TEST-CLIENT-STRANGER");
  t.match(await ask(Op.CHAR_LIST, { accountId: a }, stranger), { ok: false, code: "not-attached" }, "another client node cannot act for the player");
  const r = await login(realm.config.login.nodes[1]!, idle!, PASSWORD);
  t.equal(r.status, 200);
  const idleId = String((await db.query("SELECT id FROM accounts WHERE name = $1", [idle])).rows[0].id);
  t.match(await ask(Op.CHAR_LIST, { accountId: idleId }), { ok: false, code: "not-attached" }, "nor can anyone before the session attaches");
  t.same((await ask(Op.CHAR_LIST, { accountId: a })).characters?.map((c) => c.name), ["Lancelot"], "still there");
});
