// Trades between two players, end to end: offer, accept, and the database's verdict reaching both
// players only once committed, with balances, items and the refusals a client must handle.
import t from "tap";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import type { PlayerBot } from "../harness/player-bot.ts";
import { enterWorld } from "../harness/players.ts";
import { until } from "../harness/realm.ts";

type Of<O extends number> = Extract<ServerMessage, { op: O }>;

function next<O extends number>(bot: PlayerBot, op: O, from: number, what: string): Promise<Of<O>> {
  return until(`${bot.label}: ${what}`, 10_000, () => bot.messages.slice(from).find((m): m is Of<O> => m.op === op));
}

t.test("zone - two players trade gold and items; each hears the committed result, refusals move nothing", async (t) => {
  const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "database"] });
  const spec = realm.config.realms[0]!;
  const wire = realmWire(realm.config, "test-trader", createLog("test", "error"));
  t.teardown(() => wire.close());
  const db = new DatabaseClient(wire, spec.database.id);
  const [nameA, nameB] = (await createAccounts(postgresOf(t, realm), "trader", 2, "pw")) as [string, string];

  // B's second character starts where A's first does
  const a = await enterWorld(t, realm, nameA, "pw", ["Alda"]);
  const b = await enterWorld(t, realm, nameB, "pw", ["Bern", "Bryn"], 1);
  const walletA = await next(a.bot, PlayerOp.SMSG_WALLET, 0, "wallet");
  t.same({ gold: walletA.gold, items: walletA.items }, { gold: 0, items: [] }, "a new character's wallet is empty");

  await db.grantGold(a.character.id, 100, "test");
  const [item] = await db.grantItems(b.character.id, ["item-101"], "test");

  let fromA = a.bot.messages.length;
  let fromB = b.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: b.entered.entity, gold: 30, items: [] });
  const offered = await next(b.bot, PlayerOp.SMSG_TRADE_OFFERED, fromB, "the offer");
  t.match(offered, { from: a.entered.entity, fromName: "Alda", gold: 30, items: [] }, "B sees A's offer");
  b.bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: offered.offer, gold: 0, items: [item!] });
  const resultA = await next(a.bot, PlayerOp.SMSG_TRADE_RESULT, fromA, "the result");
  const resultB = await next(b.bot, PlayerOp.SMSG_TRADE_RESULT, fromB, "the result");
  t.match(resultA, { ok: true, goldChange: -30, gold: 70, received: [item], given: [] }, "A paid 30 and got the item");
  t.match(resultB, { ok: true, goldChange: 30, gold: 30, received: [], given: [item] }, "B got 30 and gave the item");
  t.equal(resultA.opId, resultB.opId, "one operation");
  t.match(await db.opStatus(resultA.opId), { kind: "trade", ok: true }, "the database has the operation, once");
  const [heldA, heldB] = await Promise.all([db.loadCharacter(a.character.id), db.loadCharacter(b.character.id)]);
  t.same([heldA.gold, heldA.inventory, heldB.gold, heldB.inventory], [70, [item], 30, []], "the database agrees");

  // B offers more gold than it has: both hear the refusal, nothing moves
  fromA = a.bot.messages.length;
  fromB = b.bot.messages.length;
  b.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: a.entered.entity, gold: 500, items: [] });
  const second = await next(a.bot, PlayerOp.SMSG_TRADE_OFFERED, fromA, "B's offer");
  a.bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: second.offer, gold: 0, items: [] });
  const refusedB = await next(b.bot, PlayerOp.SMSG_TRADE_RESULT, fromB, "the refusal");
  t.match(refusedB, { ok: false, reason: "insufficient-gold" }, "the database refuses: not enough gold");
  t.equal((await db.loadCharacter(b.character.id)).gold, 30, "B's gold is untouched");

  // an answer to an offer that does not exist, an item not owned, a declined offer
  fromA = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: 9999, gold: 0, items: [] });
  t.match(await next(a.bot, PlayerOp.SMSG_REFUSED, fromA, "refusal"), { reason: "no such offer" }, "accepting an offer that does not exist: refused");
  fromA = a.bot.messages.length;
  fromB = b.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: b.entered.entity, gold: 0, items: ["not-an-item"] });
  const third = await next(b.bot, PlayerOp.SMSG_TRADE_OFFERED, fromB, "A's offer of a missing item");
  b.bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: third.offer, gold: 0, items: [] });
  t.match(await next(a.bot, PlayerOp.SMSG_TRADE_RESULT, fromA, "refusal"), { ok: false }, "an item A does not own: refused");
  fromA = a.bot.messages.length;
  fromB = b.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: b.entered.entity, gold: 1, items: [] });
  const fourth = await next(b.bot, PlayerOp.SMSG_TRADE_OFFERED, fromB, "another offer");
  b.bot.send({ op: PlayerOp.CMSG_TRADE_DECLINE, offer: fourth.offer });
  t.match(await next(a.bot, PlayerOp.SMSG_TRADE_RESULT, fromA, "the decline"), { ok: false, reason: "declined" }, "the offerer hears of the decline");
  fromA = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: a.entered.entity, gold: 1, items: [] });
  t.match(await next(a.bot, PlayerOp.SMSG_REFUSED, fromA, "refusal"), { reason: "no such player" }, "no trading with oneself");
  const final = await Promise.all([db.loadCharacter(a.character.id), db.loadCharacter(b.character.id)]);
  t.same([final[0].gold, final[1].gold], [70, 30], "refused trades moved nothing");
  t.ok(!a.bot.closed && !b.bot.closed, "both players still connected");
});
