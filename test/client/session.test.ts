// A player's way through the protocol: handshake, the character screen through the realm node,
// entering the world, clock sync, chat delivered in order, leaving, and a kick from the realm.
import t from "tap";
import { Op } from "../../common/opcodes.ts";
import { CHAR_REFUSAL_CODES, CloseCode, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { ClientWorld } from "../harness/client-world.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const find = <O extends ServerMessage["op"]>(bot: PlayerBot, op: O): Extract<ServerMessage, { op: O }>[] =>
  bot.messages.filter((m): m is Extract<ServerMessage, { op: O }> => m.op === op);

t.test("client session - handshake, characters, world, clock, chat in order, leave, kick", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  const realm = w.realm;
  const a = w.account(200, 200, "Alda");
  const bot = await PlayerBot.connect(w.url(), "alda");
  const welcome = await bot.hello(a.session);
  t.match(
    welcome,
    { version: PLAYER_PROTOCOL_VERSION, accountId: a.accountId, realm: realm.name, tickHz: realm.tickHz, worldWidth: 1000, worldHeight: 1000, vision: realm.vision, budget: realm.clientBudgetBytes, zones: realm.zones.map((z) => z.id), regions: realm.zones.map((z) => [...z.region]) },
    "SMSG_WELCOME describes the realm: tick rate, world, vision, budget, zones and their regions",
  );

  bot.send({ op: PlayerOp.CMSG_CHAR_LIST });
  const list = await until("the character list", 3000, () => find(bot, PlayerOp.SMSG_CHAR_LIST)[0]);
  t.same(list.characters.map((c) => [c.id, c.name]), [[a.characterId, "Alda"]], "SMSG_CHAR_LIST comes from the realm node");

  bot.move(1, 1, 1000, 1000);
  const early = await until("a refusal", 3000, () => find(bot, PlayerOp.SMSG_CHAR_REFUSED)[0]);
  t.equal(early.code, CHAR_REFUSAL_CODES["not-now"], "a world message before entering is refused, the connection stays");
  bot.messages.length = 0;
  bot.send({ op: PlayerOp.CMSG_CHAR_SELECT, characterId: "char-nobody" });
  const refused = await until("a refusal", 3000, () => find(bot, PlayerOp.SMSG_CHAR_REFUSED)[0]);
  t.equal(refused.code, CHAR_REFUSAL_CODES["not-found"], "selecting a character the realm does not know is refused with its reason");
  t.equal(bot.closed, undefined, "still connected");

  const entered = await bot.select(a.characterId);
  t.equal(entered.entity, a.entity, "SMSG_ENTERED names the entity");
  t.equal(entered.token.length, 32, "and carries a 32-byte reconnect token");
  await bot.waitFrames(10);
  const times = bot.frames.flatMap((f) => (f.world ? [f.world.time] : []));
  t.ok(times.every((x, i) => i === 0 || x >= times[i - 1]!), "SMSG_WORLD carries server time, never going back");
  t.ok(Math.abs(entered.epoch + times.at(-1)! - Date.now()) < 500, "server time = epoch + time, the server's clock");

  for (let i = 0; i < 5; i++) {
    bot.ping();
    await new Promise((r) => setTimeout(r, 30));
  }
  await until("five pongs", 3000, () => (bot.clock.samples >= 5 ? true : undefined));
  t.ok(bot.clock.rttMs >= 0 && bot.clock.rttMs < 100, `clock sync: rtt ${bot.clock.rttMs.toFixed(2)} ms`);
  t.ok(Math.abs(bot.clock.offsetMs) < 50, `clock sync: offset ${bot.clock.offsetMs.toFixed(2)} ms (same machine: near 0)`);

  // chat is reliable and in order
  const b = await w.player(210, 200, undefined, "bram");
  for (let i = 1; i <= 5; i++) bot.send({ op: PlayerOp.CMSG_SAY, text: `line ${i}` });
  const heard = await until("five lines", 3000, () => {
    const lines = find(b.bot, PlayerOp.SMSG_CHAT).filter((m) => m.from === a.entity);
    return lines.length >= 5 ? lines : undefined;
  });
  t.same(heard.map((m) => m.text), ["line 1", "line 2", "line 3", "line 4", "line 5"], "the neighbour hears every line, in order, with the speaker's name");
  t.equal(heard[0]!.fromName, "Alda");

  // leaving: the connection ends normally, the realm hears it, the neighbour sees the character go
  await until("bram sees alda", 3000, () => b.bot.view.get(a.entity));
  bot.send({ op: PlayerOp.CMSG_LEAVE });
  t.equal((await bot.waitClosed()).code, CloseCode.NORMAL, "CMSG_LEAVE ends with a normal close");
  await until("the realm node to hear of it", 3000, () => (w.left.includes(a.accountId) ? true : undefined));
  await until("bram to see alda gone", 3000, () => (b.bot.view.get(a.entity) ? undefined : true));
  t.pass("the realm node got REALM_PLAYER_LEFT and the neighbour saw the character leave");

  // a kick sent before this connection attached (queued for a client node while it was down) is not about it
  w.wire.send(w.config.clientNodes[0]!.id, Op.SESSION_KICK, { accountId: `acct-${b.entity}`, reason: "stale", at: Date.now() - 60_000 });
  await b.bot.waitFrames(5);
  t.notOk(b.bot.closed, "a kick older than the connection is ignored");

  // the realm node kicks an account (logged in elsewhere, banned)
  w.wire.send(w.config.clientNodes[0]!.id, Op.SESSION_KICK, { accountId: `acct-${b.entity}`, reason: "logged in again elsewhere", at: Date.now() });
  const kicked = await b.bot.waitClosed();
  t.same([kicked.code, kicked.reason], [CloseCode.KICKED, "logged in again elsewhere"], "SESSION_KICK closes the player's connection with the realm's reason");
});
