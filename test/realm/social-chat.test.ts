// The social layer through real players on a whole realm (two client nodes, two zones): whisper,
// party, guild and global chat reach every player of the channel across client nodes and zones
// and nobody outside it; parties, friends and guilds change through players and every member
// sees the change; bad input is refused by name without closing anyone; a kill -9 of the realm
// node keeps parties and guilds (the database has them) and chat still routes.
import t from "tap";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { Op } from "../../common/opcodes.ts";
import type { Request } from "../../common/protocol/index.ts";
import { ChatChannel, FriendAction, GUILD_RANK_CODES, GuildAction, PartyAction, PlayerOp } from "../../common/player-opcodes.ts";
import { createAccounts, logLines, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { runCli, until } from "../harness/realm.ts";
import { ask, inLobby, joinWorld, latest, linesWith, waitFor, type SocialPlayer } from "../harness/social-players.ts";

const PASSWORD = "correct horse battery";

const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "database"], deadlineMs: 90_000 });
const db = postgresOf(t, realm);
const realmNode = realm.config.realms[0]!.realmNode.id;
const accounts = await createAccounts(db, "Social", 6, PASSWORD);
const names = ["Alda", "Bran", "Cora", "Dain", "Elin"];
const players: SocialPlayer[] = [];
for (const [i, name] of names.entries()) players.push(await joinWorld(t, realm, accounts[i]!, PASSWORD, name));
const [alda, bran, cora, dain, elin] = players as [SocialPlayer, SocialPlayer, SocialPlayer, SocialPlayer, SocialPlayer];
// a character that exists and is not in the world: its player stays in the lobby
await inLobby(t, realm, accounts[5]!, PASSWORD, "Fenn");

interface Checks {
  equal(found: unknown, wanted: unknown, message: string): unknown;
}

let markers = 0;
const markedAt = new Map<SocialPlayer, number>();
/** Players muted for flooding: they send no markers. */
const flooders = new Set<SocialPlayer>();
/**
 * Each player outside the channel gets a whisper sent after `text`: one that got its whisper and
 * not `text` never will (the realm node keeps one connection, in order, per client node).
 * Whispers come from different players in turn.
 */
async function nobodyElseHeard(t: Checks, text: string, insiders: SocialPlayer[]): Promise<void> {
  for (const p of players.filter((x) => !insiders.includes(x) && !x.bot.closed)) {
    const marker = `marker ${++markers}`;
    // the one that sent a marker longest ago: markers stay within everyone's chat allowance
    const senders = players.filter((x) => x !== p && !x.bot.closed && !flooders.has(x)).sort((a, b) => (markedAt.get(a) ?? 0) - (markedAt.get(b) ?? 0));
    const sender = senders[0]!;
    markedAt.set(sender, Date.now());
    t.equal((await ask(sender, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: p.name, text: marker })).code, "ok", `${sender.name} whispers a marker to ${p.name}`);
    await waitFor(p, PlayerOp.SMSG_CHAT, `the marker ${marker}`, (m) => m.text === marker);
    t.equal(linesWith(p, text).length, 0, `${p.name} (outside) did not get "${text}"`);
  }
}

t.test("social - the players are spread over both client nodes", async (t) => {
  t.equal(new Set(players.map((p) => p.node)).size, 2, players.map((p) => `${p.name}@${p.node}`).join(" "));
});

t.test("chat - global reaches every player; a whisper reaches only its target, across client nodes", async (t) => {
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "hello realm" })).code, "ok");
  for (const p of players) {
    const m = await waitFor(p, PlayerOp.SMSG_CHAT, "the global line", (x) => x.text === "hello realm");
    t.same([m.channel, m.fromName, m.from], [ChatChannel.GLOBAL, "Alda", 0], `${p.name} got it on the global channel, from Alda`);
  }
  const target = players.find((p) => p.node !== alda.node)!;
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: target.name.toLowerCase(), text: "psst" })).code, "ok", "names are matched ignoring case");
  const w = await waitFor(target, PlayerOp.SMSG_CHAT, "the whisper", (x) => x.text === "psst");
  t.same([w.channel, w.fromName], [ChatChannel.WHISPER, "Alda"], `${target.name} on ${target.node} got the whisper from Alda on ${alda.node}`);
  await nobodyElseHeard(t, "psst", [target]);
});

t.test("bad input - unknown and offline whisper targets, empty and oversized lines, unknown actions: refused by name, nobody closed", async (t) => {
  // refused lines count against the sender's chat allowance too: they are spread over the players
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "Nobody", text: "hi" })).code, "not-found");
  t.equal((await ask(bran, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "Bran", text: "hi" })).code, "self");
  t.equal((await ask(cora, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "Fenn", text: "hi" })).code, "offline", "Fenn exists but is not in the world");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "", text: "hi" })).code, "bad-request");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: 9, to: "", text: "hi" })).code, "bad-request", "an unknown channel");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "é".repeat(200) })).code, "too-long", "400 bytes of text");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: 77, arg: "Bran" })).code, "bad-request", "an unknown action");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: "P-spoofed" })).code, "not-found", "a spoofed party id");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_GUILD, action: GuildAction.JOIN, arg: "G-spoofed", rank: 0 })).code, "not-found", "a spoofed guild id");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: "Nobody" })).code, "not-found", "an unknown invitee");
  t.equal((await ask(dain, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "anyone?" })).code, "not-in-party");
  t.equal((await ask(elin, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GUILD, to: "", text: "anyone?" })).code, "not-in-guild");
  t.notOk(alda.bot.closed, "Alda is still connected");

  // a peer that is not the client node holding Alda's connection cannot act or speak for her
  const spoofer = realmWire(realm.config, `spoofer-${process.pid}`, createLog("test", "error"));
  t.teardown(() => spoofer.close());
  const accountId = alda.bot.welcome!.accountId;
  const asked = await spoofer.request(realmNode, Op.SOCIAL_REQUEST, { accountId, action: "guild-create", guildName: "Spoofed Guild" } as Request<typeof Op.SOCIAL_REQUEST>, 5000);
  t.same([asked.ok, asked.code], [false, "not-in-world"], "a social request for an account attached elsewhere is refused");
  const said = await spoofer.request(realmNode, Op.CHAT_SEND, { accountId, channel: "global", text: "spoofed line" }, 5000);
  t.same([said.ok, said.code], [false, "not-in-world"], "and so is a chat line");
  await nobodyElseHeard(t, "spoofed line", []);
});

t.test("guilds - create, invite, join, rank, guild chat to members only; a name collision is refused", async (t) => {
  t.equal((await ask(alda, { op: PlayerOp.CMSG_GUILD, action: GuildAction.CREATE, arg: "Night Watch", rank: 0 })).code, "ok");
  const g = await waitFor(alda, PlayerOp.SMSG_GUILD, "the new guild", (m) => m.name === "Night Watch");
  t.same(g.members.map((m) => [m.name, m.rank, m.online]), [["Alda", GUILD_RANK_CODES.leader, true]]);
  const taken = await ask(bran, { op: PlayerOp.CMSG_GUILD, action: GuildAction.CREATE, arg: "night watch", rank: 0 });
  t.equal(taken.code, "name-taken", `a guild name in another case is taken: ${taken.text}`);
  t.equal(latest(bran, PlayerOp.SMSG_GUILD)?.id ?? "", "", "Bran is in no guild after the refusal");

  for (const p of [bran, dain]) {
    t.equal((await ask(alda, { op: PlayerOp.CMSG_GUILD, action: GuildAction.INVITE, arg: p.name, rank: 0 })).code, "ok", `Alda invites ${p.name}`);
    const inv = await waitFor(p, PlayerOp.SMSG_INVITES, "the guild invite", (m) => m.guild.some((i) => i.name === "Night Watch"));
    t.equal((await ask(p, { op: PlayerOp.CMSG_GUILD, action: GuildAction.JOIN, arg: inv.guild[0]!.guildId, rank: 0 })).code, "ok", `${p.name} joins`);
  }
  for (const p of [alda, bran, dain]) await waitFor(p, PlayerOp.SMSG_GUILD, "three members", (m) => m.members.length === 3 && m.members.every((x) => x.online));
  t.pass("every member sees the three of them online");

  t.equal((await ask(bran, { op: PlayerOp.CMSG_GUILD, action: GuildAction.RANK, arg: "Dain", rank: GUILD_RANK_CODES.officer })).code, "not-allowed", "only the leader sets ranks");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_GUILD, action: GuildAction.RANK, arg: "Dain", rank: GUILD_RANK_CODES.officer })).code, "ok");
  await waitFor(dain, PlayerOp.SMSG_GUILD, "Dain an officer", (m) => m.members.some((x) => x.name === "Dain" && x.rank === GUILD_RANK_CODES.officer));

  t.equal((await ask(dain, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GUILD, to: "", text: "for the watch" })).code, "ok");
  for (const p of [alda, bran, dain]) t.equal((await waitFor(p, PlayerOp.SMSG_CHAT, "the guild line", (m) => m.text === "for the watch")).channel, ChatChannel.GUILD);
  await nobodyElseHeard(t, "for the watch", [alda, bran, dain]);

  t.equal((await ask(bran, { op: PlayerOp.CMSG_GUILD, action: GuildAction.LEAVE, arg: "", rank: 0 })).code, "ok", "Bran leaves");
  await waitFor(bran, PlayerOp.SMSG_GUILD, "no guild", (m) => m.id === "");
  await waitFor(alda, PlayerOp.SMSG_GUILD, "two members left", (m) => m.members.length === 2);
  t.equal((await ask(dain, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GUILD, to: "", text: "after bran" })).code, "ok");
  await waitFor(alda, PlayerOp.SMSG_CHAT, "the line after Bran left", (m) => m.text === "after bran");
  await nobodyElseHeard(t, "after bran", [alda, dain]);
});

t.test("parties - invite, accept, party chat to members only, leader, kick, leave", async (t) => {
  for (const p of [bran, cora]) {
    t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: p.name })).code, "ok", `Alda invites ${p.name}`);
    const inv = await waitFor(p, PlayerOp.SMSG_INVITES, "the party invite", (m) => m.party.some((i) => i.leaderName === "Alda"));
    t.equal((await ask(p, { op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: inv.party[0]!.partyId })).code, "ok", `${p.name} accepts`);
  }
  for (const p of [alda, bran, cora]) await waitFor(p, PlayerOp.SMSG_PARTY, "a party of three", (m) => m.members.length === 3 && m.leader === alda.characterId);
  t.pass("the three see the party, Alda leading");
  t.equal((await ask(dain, { op: PlayerOp.CMSG_PARTY, action: PartyAction.KICK, arg: "Bran" })).code, "not-in-party", "an outsider cannot kick");

  t.equal((await ask(cora, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "pull the boss" })).code, "ok");
  for (const p of [alda, bran, cora]) t.equal((await waitFor(p, PlayerOp.SMSG_CHAT, "the party line", (m) => m.text === "pull the boss")).channel, ChatChannel.PARTY);
  await nobodyElseHeard(t, "pull the boss", [alda, bran, cora]);

  t.equal((await ask(bran, { op: PlayerOp.CMSG_PARTY, action: PartyAction.KICK, arg: "Cora" })).code, "not-allowed", "only the leader kicks");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: PartyAction.LEADER, arg: "Bran" })).code, "ok");
  for (const p of [alda, bran, cora]) await waitFor(p, PlayerOp.SMSG_PARTY, "Bran leading", (m) => m.leader === bran.characterId);
  t.equal((await ask(bran, { op: PlayerOp.CMSG_PARTY, action: PartyAction.KICK, arg: "Cora" })).code, "ok", "the new leader kicks Cora");
  await waitFor(cora, PlayerOp.SMSG_PARTY, "Cora out", (m) => m.id === "");
  await waitFor(alda, PlayerOp.SMSG_PARTY, "two left", (m) => m.members.length === 2);
  t.equal((await ask(cora, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "still here?" })).code, "not-in-party", "Cora's party chat is refused");
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "without cora" })).code, "ok");
  await waitFor(bran, PlayerOp.SMSG_CHAT, "the line without Cora", (m) => m.text === "without cora");
  await nobodyElseHeard(t, "without cora", [alda, bran]);
});

t.test("chat limits - a flood is refused then muted, an operator mute holds; nobody is closed", async (t) => {
  const from = cora.bot.messages.length;
  flooders.add(cora);
  for (let i = 0; i < 12; i++) cora.bot.send({ op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: `spam ${i}` });
  await waitFor(cora, PlayerOp.SMSG_REFUSED, "muted for flooding", (m) => m.reason === "muted", from);
  const refused = cora.bot.messages.slice(from).filter((m) => m.op === PlayerOp.SMSG_REFUSED).length;
  t.ok(refused >= 5, `${refused} lines refused`);
  await nobodyElseHeard(t, "spam 11", []);
  t.notOk(cora.bot.closed, "the flooder is not closed");

  const wire = realmWire(realm.config, `ops-test-${process.pid}`, createLog("test", "error"));
  t.teardown(() => wire.close());
  const cli = runCli(["mute", "dain", "--for", "10m", "--config", realm.configFile]);
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stdout, /Fortrax: dain muted until/, "`realm mute dain --for 10m` mutes Dain");
  t.equal(runCli(["mute", "Dain", "--for", "soon", "--config", realm.configFile]).code, 2, "a duration it cannot read is a usage mistake");
  await until("Dain's client node to hear of the mute", 10_000, () => logLines(realm, dain.node).find((l) => l.event === "player-muted"));
  const since = dain.bot.messages.length;
  dain.bot.send({ op: PlayerOp.CMSG_SAY, text: "can you hear me" });
  await waitFor(dain, PlayerOp.SMSG_REFUSED, "muted by the operator", (m) => m.reason === "muted", since);
  t.equal((await wire.request(realmNode, Op.CHAT_MUTE, { name: "Dain", forMs: 0, by: "test" }, 5000)).until, 0, "the mute is lifted");
  t.equal((await wire.request(realmNode, Op.CHAT_MUTE, { name: "Nobody", forMs: 1000, by: "test" }, 5000)).code, "not-found", "an unknown name is refused");
});

t.test("realm restart - kill -9 of the realm node: parties and guilds are still there and chat still routes", async (t) => {
  const victim = await realm.node(realmNode);
  const killedAt = Date.now();
  const since = players.map((p) => p.bot.messages.length);
  process.kill(victim!.pid!, "SIGKILL");
  await realm.waitFor(`${realmNode} back up`, 30_000, (all) => all.some((n) => n.id === realmNode && n.state === "up" && n.pid !== victim!.pid));
  await until("the directory rebuilt", 20_000, () => logLines(realm, realmNode).find((l) => l.event === "directory-rebuilt" && Date.parse(String(l.t)) >= killedAt));
  for (const p of [alda, bran]) {
    const party = await waitFor(p, PlayerOp.SMSG_PARTY, "the party again", (m) => m.members.length === 2, since[players.indexOf(p)]);
    t.equal(party.leader, bran.characterId, `${p.name} is told its party again: Bran leading`);
  }
  await waitFor(dain, PlayerOp.SMSG_GUILD, "the guild again", (m) => m.name === "Night Watch" && m.members.length === 2, since[players.indexOf(dain)]);
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "after the restart" })).code, "ok");
  await waitFor(bran, PlayerOp.SMSG_CHAT, "the party line after the restart", (m) => m.text === "after the restart");
  t.comment(`party chat routed again ${Date.now() - killedAt} ms after the realm node's kill -9`);
  t.equal((await ask(alda, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GUILD, to: "", text: "guild after the restart" })).code, "ok");
  await waitFor(dain, PlayerOp.SMSG_CHAT, "the guild line after the restart", (m) => m.text === "guild after the restart");
  await nobodyElseHeard(t, "after the restart", [alda, bran]);
  await nobodyElseHeard(t, "guild after the restart", [alda, dain]);

  t.equal((await ask(alda, { op: PlayerOp.CMSG_PARTY, action: PartyAction.LEAVE, arg: "" })).code, "ok", "Alda leaves the party");
  await waitFor(alda, PlayerOp.SMSG_PARTY, "Alda out", (m) => m.id === "");
  await waitFor(bran, PlayerOp.SMSG_PARTY, "a party of one is gone", (m) => m.id === "");
  t.equal((await ask(bran, { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "alone" })).code, "not-in-party", "and Bran is told so");
});

t.test("friends - request, accept, online and offline across client nodes, remove", async (t) => {
  const other = players.find((p) => p.node !== cora.node && p !== elin)!;
  t.equal((await ask(cora, { op: PlayerOp.CMSG_FRIEND, action: FriendAction.REQUEST, name: other.name })).code, "ok");
  await waitFor(other, PlayerOp.SMSG_FRIENDS, "Cora asking", (m) => m.friends.some((f) => f.name === "Cora"));
  t.equal((await ask(other, { op: PlayerOp.CMSG_FRIEND, action: FriendAction.ACCEPT, name: "Cora" })).code, "ok");
  await waitFor(cora, PlayerOp.SMSG_FRIENDS, `${other.name} a friend, online`, (m) => m.friends.some((f) => f.name === other.name && f.online));
  t.equal((await ask(cora, { op: PlayerOp.CMSG_FRIEND, action: FriendAction.REQUEST, name: other.name })).code, "already-friends");
  const from = cora.bot.messages.length;
  other.bot.send({ op: PlayerOp.CMSG_LEAVE });
  await waitFor(cora, PlayerOp.SMSG_PRESENCE, `${other.name} offline`, (m) => m.name === other.name && !m.online, from);
  t.pass(`Cora on ${cora.node} hears that ${other.name} on ${other.node} went offline`);
  t.equal((await ask(cora, { op: PlayerOp.CMSG_FRIEND, action: FriendAction.REMOVE, name: other.name })).code, "ok", "a friend offline can be removed");
  await waitFor(cora, PlayerOp.SMSG_FRIENDS, "no friends left", (m) => m.friends.length === 0);
});
