// A party lands together: a character selected while a party member is in its zone joins that
// member's copy of the zone (layer) when it has room, even when another copy has room first.
import t from "tap";
import { PartyAction, PlayerOp } from "../../common/player-opcodes.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import type { PlayerBot } from "../harness/player-bot.ts";
import { returnToWorld } from "../harness/players.ts";
import { until } from "../harness/realm.ts";
import { ask, joinWorld, waitFor } from "../harness/social-players.ts";

const PASSWORD = "correct horse battery";

const sees = (bot: PlayerBot, entity: number): boolean => bot.view.entities().has(entity);

t.test("party layer - a party member entering joins its party's copy of the zone, not the first copy with room", async (t) => {
  const realm = await startFrontDoor(t, {
    // one zone, two players a copy: everyone starts at its centre, so a copy is what one sees
    edit: (doc) => {
      const r = doc.realms[0];
      r.world = { width: 400, height: 400, cell: 50 };
      r.zones = [{ ...r.zones[0], region: [0, 0, 400, 400], npcs: 5 }];
      r.layer_players = 2;
      r.dungeons = [];
    },
    kinds: ["login", "realm", "client", "zone", "database"],
    deadlineMs: 90_000,
  });
  const accounts = await createAccounts(postgresOf(t, realm), "Layer", 4, PASSWORD);
  const [s1, s2, ally, friend] = [
    await joinWorld(t, realm, accounts[0]!, PASSWORD, "Sola"),
    await joinWorld(t, realm, accounts[1]!, PASSWORD, "Sune"),
    await joinWorld(t, realm, accounts[2]!, PASSWORD, "Arda"),
    await joinWorld(t, realm, accounts[3]!, PASSWORD, "Fara"),
  ];
  const id = (p: { bot: PlayerBot }): number => p.bot.entered!.entity;
  // the first copy is full with Sola and Sune: Arda and Fara are in the second
  await until("Sola to see Sune", 10_000, () => (sees(s1.bot, id(s2)) ? true : undefined));
  await until("Arda to see Fara", 10_000, () => (sees(ally.bot, id(friend)) ? true : undefined));
  t.notOk(sees(ally.bot, id(s1)), "Arda is not in Sola's copy");

  t.equal((await ask(ally, { op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: friend.name })).code, "ok", "Arda invites Fara");
  const invites = await waitFor(friend, PlayerOp.SMSG_INVITES, "the invite", (x) => x.party.length > 0);
  t.equal((await ask(friend, { op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: invites.party[0]!.partyId })).code, "ok", "Fara accepts");

  // Fara and Sola leave the game: the first copy has room again, and comes first
  for (const p of [friend, s1]) {
    p.bot.send({ op: PlayerOp.CMSG_LEAVE });
    await p.bot.waitClosed(10_000);
  }
  const back = await returnToWorld(t, realm, friend.account, PASSWORD, friend.name);
  await until("Fara, back, to see its party member Arda", 10_000, () => (sees(back.bot, id(ally)) ? true : undefined));
  t.pass("Fara joined Arda's copy of the zone");
  t.notOk(sees(back.bot, id(s2)), "not the first copy, where Sune is");
});
