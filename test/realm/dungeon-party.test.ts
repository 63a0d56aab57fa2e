// A party in a dungeon as its players live it, through `realm start` and real WebSockets on two
// client nodes and two zones: three players form a party, meet at an entrance on the zone border,
// the leader asks in as one of them steps across the border (its handoff in flight) and all three
// land in the same instance and see each other; one kills and loots an NPC (the database has the
// item); each asks out and is back at the entrance.
import t from "tap";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import { DUNGEON_REFUSAL_CODES, DungeonState, PartyAction, PlayerOp } from "../../common/player-opcodes.ts";
import { fightAndLoot, seen, walkTo, waitMessage } from "../harness/dungeon-walk.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import type { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";
import { ask, joinWorld, waitFor } from "../harness/social-players.ts";
import { smallWorld } from "../harness/test-config.ts";

const PASSWORD = "correct horse battery";
// on the border of the two zones of the small world (x 200): party members come from both
const BORDER = 200;
const GATE = { name: "border-crypt", kind: "crypt", at: [BORDER, 200], radius: 15 };

async function askIn(bot: PlayerBot) {
  const mark = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: GATE.name });
  return waitMessage(bot, PlayerOp.SMSG_DUNGEON, mark, 15_000);
}

t.test("dungeon party - three players from two client nodes enter one instance together, one loots, all come back to the entrance", async (t) => {
  const realm = await startFrontDoor(t, {
    edit: (doc) => {
      smallWorld(doc);
      // no wolves at the gate: a member killed while the party gathers is rightly left outside
      for (const z of doc.realms[0].zones) z.npcs = 0;
      doc.realms[0].dungeons = [GATE];
    },
    kinds: ["login", "realm", "client", "zone", "instance", "database"],
    deadlineMs: 90_000,
  });
  const spec = realm.config.realms[0]!;
  const accounts = await createAccounts(postgresOf(t, realm), "Delve", 3, PASSWORD);
  const party = [];
  for (const [i, name] of ["Vara", "Wend", "Yorr"].entries()) party.push(await joinWorld(t, realm, accounts[i]!, PASSWORD, name));
  const [leader, ...members] = party as [(typeof party)[0], ...typeof party];
  t.ok(new Set(party.map((p) => p.node)).size >= 2, `the players are on two client nodes: ${party.map((p) => `${p.name}@${p.node}`).join(" ")}`);

  for (const m of members) {
    t.equal((await ask(leader, { op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: m.name })).code, "ok", `${leader.name} invites ${m.name}`);
    const invites = await waitFor(m, PlayerOp.SMSG_INVITES, "a party invite", (x) => x.party.length > 0);
    t.equal((await ask(m, { op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: invites.party[0]!.partyId })).code, "ok", `${m.name} accepts`);
  }
  for (const p of party) await waitFor(p, PlayerOp.SMSG_PARTY, "the party of three", (x) => x.members.length === 3);

  // they meet at the gate (each from its own zone's centre)
  await Promise.all(party.map((p) => walkTo(p.bot, GATE.at[0]!, GATE.at[1]!, GATE.radius / 3, 90_000)));
  // one steps over the zone border just as the leader asks in: the zone across is stopped for a
  // moment, so the handoff is still in flight when the realm asks who stands at the gate
  const crosser = party[2]!;
  const side = crosser.bot.moves!.x < BORDER ? -1 : 1;
  await walkTo(crosser.bot, BORDER + side * 0.5, GATE.at[1]!, 0.05);
  const across = (await realm.node(spec.zones[side < 0 ? 1 : 0]!.id))!;
  const marks = party.map((p) => p.bot.messages.length);
  // stopped for about 0.6 s: within the reviver's 1.5 s heartbeat deadline and the zones' 1 s handoff offer
  process.kill(across.pid!, "SIGSTOP");
  // resumed once: a second SIGCONT to a zone restarted meanwhile would hide the failure behind ESRCH
  let stopped = true;
  const resume = (): void => {
    if (stopped) process.kill(across.pid!, "SIGCONT");
    stopped = false;
  };
  let answer;
  try {
    await walkTo(crosser.bot, BORDER - side * 0.4, GATE.at[1]!, 0.05, 2_000);
    await new Promise((r) => setTimeout(r, 150));
    const asked = askIn(leader.bot);
    await new Promise((r) => setTimeout(r, 250));
    resume();
    answer = await asked;
  } finally {
    resume();
  }
  // a zone too busy to answer in time is "unavailable": a player asks again, as a game client would
  if (answer.code === DUNGEON_REFUSAL_CODES.unavailable) answer = await askIn(leader.bot);
  t.equal(answer.state, DungeonState.ENTERING, `the realm takes the party in (${answer.text || "no refusal"}), ${crosser.name} crossing into ${across.id}`);
  const crypt = DUNGEON_MAPS.crypt;
  for (const [i, p] of party.entries()) {
    const inside = await waitMessage(p.bot, PlayerOp.SMSG_WORLD_CHANGED, marks[i]!, 20_000);
    t.match(inside, { dungeon: "crypt", width: crypt.width, height: crypt.height }, `${p.name} (${p.node}) is in the crypt`);
  }
  // one instance: each sees the two others there
  const ids = party.map((p) => p.bot.entered!.entity);
  for (const p of party) {
    await until(`${p.name} to see the whole party in the crypt`, 15_000, () => (ids.every((id) => seen(p.bot).some((e) => e.id === id)) ? true : undefined));
  }
  t.pass("all three see each other inside: the same instance");

  const looter = members.find((m) => m.node !== leader.node) ?? members[0]!;
  const loot = await fightAndLoot(looter.bot, crypt);
  t.ok(loot.itemId !== "", `${looter.name} killed an NPC of the crypt and looted ${loot.itemId}, committed by the database`);

  for (const p of party) {
    const mark = p.bot.messages.length;
    p.bot.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
    const out = await waitMessage(p.bot, PlayerOp.SMSG_WORLD_CHANGED, mark, 20_000);
    const [x, y] = [(out.qx * spec.world.width) / 65535, (out.qy * spec.world.height) / 65535];
    t.equal(out.dungeon, "", `${p.name} is back in the realm's world`);
    t.ok(Math.hypot(x - GATE.at[0]!, y - GATE.at[1]!) <= GATE.radius, `${p.name} at the entrance (${x.toFixed(1)}, ${y.toFixed(1)})`);
  }
  for (const p of party) t.notOk(p.bot.closed, `${p.name}'s connection stayed open`);
});
