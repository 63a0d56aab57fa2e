// A dungeon as a player lives it, through `realm start` and a real WebSocket: standing at an
// entrance it asks in, its view follows into the instance, it kills and loots an NPC there (its
// moves quantized over the dungeon's size), asks out and is back at the entrance in the realm;
// in again, its instance node killed -9, it follows its character back to the entrance.
import t from "tap";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import { DungeonState, PlayerOp } from "../../common/player-opcodes.ts";
import { fightAndLoot, seen, walkTo, waitMessage } from "../harness/dungeon-walk.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { enterWorld } from "../harness/players.ts";
import { until } from "../harness/realm.ts";

t.test("dungeon player - at the entrance it enters, kills and loots an NPC inside, leaves back to the entrance; its instance killed -9, it follows back there", async (t) => {
  const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "instance", "database"] });
  const spec = realm.config.realms[0]!;
  const gate = spec.dungeons.find((d) => d.kind === "crypt");
  if (!gate) throw new Error("the shipped realms.yaml has no crypt entrance");
  const [account] = await createAccounts(postgresOf(t, realm), "delver", 1, "correct horse");
  const { bot, entered } = await enterWorld(t, realm, account!, "correct horse", ["Delver"]);
  t.ok(entered.entity > 0, "in the world");

  // walk to the entrance (a new character starts at its zone's centre, near the crypt's gate)
  await walkTo(bot, gate.at[0], gate.at[1], gate.radius / 3);
  let mark = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: gate.name });
  const answer = await waitMessage(bot, PlayerOp.SMSG_DUNGEON, mark, 15_000);
  t.equal(answer.state, DungeonState.ENTERING, `the realm takes it in (${answer.text || "no refusal"})`);
  const inside = await waitMessage(bot, PlayerOp.SMSG_WORLD_CHANGED, mark, 15_000);
  const crypt = DUNGEON_MAPS.crypt;
  t.match(inside, { dungeon: "crypt", width: crypt.width, height: crypt.height }, "the player is told it is in the crypt");
  t.ok(Math.hypot((inside.qx * crypt.width) / 65535 - crypt.entrance[0], (inside.qy * crypt.height) / 65535 - crypt.entrance[1]) < 1, "at the crypt's landing point");

  // fight the nearest NPC in view (walking the crypt until one shows), then take its drop
  const loot = await fightAndLoot(bot, crypt);
  t.ok(loot.op === PlayerOp.SMSG_LOOT && loot.itemId !== "", "an NPC of the crypt killed and its drop looted, committed by the database");
  t.notOk(bot.messages.some((m) => m.op === PlayerOp.SMSG_CORRECT && m.reason === 1), "no move inside was judged too fast (the crypt's units were used)");

  mark = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
  const out = await waitMessage(bot, PlayerOp.SMSG_WORLD_CHANGED, mark, 15_000);
  t.match(out, { dungeon: "", width: spec.world.width, height: spec.world.height }, "back in the realm's world");
  const [x, y] = [(out.qx * spec.world.width) / 65535, (out.qy * spec.world.height) / 65535];
  t.ok(Math.hypot(x - gate.at[0], y - gate.at[1]) <= gate.radius, `at the entrance (${x.toFixed(1)}, ${y.toFixed(1)})`);
  await until("the player to see itself at the entrance in the realm", 10_000, () => {
    const me = seen(bot).find((e) => e.id === entered.entity);
    return me && Math.hypot(me.x - gate.at[0], me.y - gate.at[1]) <= gate.radius ? me : undefined;
  });
  // and it walks on in the realm's units
  await walkTo(bot, gate.at[0] + gate.radius + 3, gate.at[1], 0.5, 10_000);

  // in again, and the instance node is killed -9: the realm puts the character back at the
  // entrance from its checkpoint, and the player follows without a new session
  await walkTo(bot, gate.at[0], gate.at[1], gate.radius / 3, 30_000);
  mark = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: gate.name });
  await until("the player in the crypt again", 30_000, () => (bot.messages.slice(mark).some((m) => m.op === PlayerOp.SMSG_WORLD_CHANGED && m.dungeon === "crypt") ? true : undefined));
  mark = bot.messages.length;
  // the test does not know which pool node took the crypt: every instance node dies (an idle one loses nothing)
  for (const spec of realm.config.instances.pool) {
    const node = await realm.node(spec.id);
    if (node?.pid) process.kill(node.pid, "SIGKILL");
  }
  const back = await waitMessage(bot, PlayerOp.SMSG_WORLD_CHANGED, mark, 60_000);
  t.equal(back.dungeon, "", "after the instance's kill -9 the player is back in the realm's world");
  const [bx, by] = [(back.qx * spec.world.width) / 65535, (back.qy * spec.world.height) / 65535];
  t.ok(Math.hypot(bx - gate.at[0], by - gate.at[1]) <= gate.radius, `at the entrance, from its checkpoint (${bx.toFixed(1)}, ${by.toFixed(1)})`);
  t.notOk(bot.messages.slice(mark).some((m) => m.op === PlayerOp.SMSG_ENTERED), "with no new session");
  await until("the player to see itself at the entrance again", 10_000, () => {
    const me = seen(bot).find((e) => e.id === entered.entity);
    return me && Math.hypot(me.x - gate.at[0], me.y - gate.at[1]) <= gate.radius ? me : undefined;
  });
  t.notOk(bot.closed, "the connection stayed open throughout");
});
