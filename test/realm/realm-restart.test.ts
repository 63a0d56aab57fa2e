// The realm node's directory (who is where) survives a kill -9 of the realm node: the restarted
// node rebuilds it from the client nodes (who is connected, through which node) and the zones
// (where the characters are, under which entity), so counts, duplicate logins, kicks, character
// selection and a later zone restart work for players who were already connected, and a login
// made while the realm node is down waits for it. A player who resumed through another client
// node is kicked there (SESSION_MOVED).
import t from "tap";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import { CloseCode, PlayerOp } from "../../common/player-opcodes.ts";
import type { CharacterEntry, ServerMessage } from "../../common/player-codec.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { createAccounts, login, logLines, postgresOf, request, startFrontDoor } from "../harness/front-door.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const PASSWORD = "correct horse battery";

const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "database"] });
const db = postgresOf(t, realm);
const spec = realm.config.realms[0]!;
const realmNode = spec.realmNode.id;
const loginNodes = realm.config.login.nodes;
const clientNodeOfUrl = new Map(realm.config.clientNodes.map((c) => [`ws://${c.ws.host}:${c.ws.port}/`, c.id]));
const wire = realmWire(realm.config, `test-${process.pid}`, createLog("test", "error"));
t.teardown(() => wire.close());

interface Player {
  name: string;
  session: string;
  node: string;
  bot: PlayerBot;
  character: CharacterEntry;
}

let logins = 0;

/** Sends a lobby request and waits for the answer `op` (a refusal fails). */
async function lobbyAsk(bot: PlayerBot, send: () => void, op: number): Promise<ServerMessage> {
  const from = bot.messages.length;
  send();
  const m = await until(`${bot.label}: answer ${op}`, 10_000, () => bot.messages.slice(from).find((x) => x.op === op || x.op === PlayerOp.SMSG_CHAR_REFUSED));
  if (m.op === PlayerOp.SMSG_CHAR_REFUSED) throw new Error(`${bot.label}: refused: ${m.text}`);
  return m;
}

/** Logs in (the login nodes in turn), attaches on the client node the answer names, creates a character; `enter` selects it too. */
async function join(name: string, character: string, enter: boolean): Promise<Player> {
  const r = await login(loginNodes[logins++ % loginNodes.length]!, name, PASSWORD);
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
  const bot = await PlayerBot.connect(r.body.client, name);
  t.teardown(() => bot.close());
  await bot.hello(r.body.session);
  const created = await lobbyAsk(bot, () => bot.send({ op: PlayerOp.CMSG_CHAR_CREATE, name: character }), PlayerOp.SMSG_CHAR_CREATED);
  if (created.op !== PlayerOp.SMSG_CHAR_CREATED) throw new Error(`${name}: no character`);
  if (enter) await bot.select(created.character.id);
  return { name, session: r.body.session, node: clientNodeOfUrl.get(r.body.client)!, bot, character: created.character };
}

async function population(): Promise<number> {
  return (await wire.request(realmNode, Op.REALM_STATUS_REQUEST, {}, 3000)).population;
}

/** The player drops and comes back through the other client node with its reconnect token. */
async function resumeElsewhere(p: Player): Promise<Player> {
  const token = p.bot.entered!.token;
  const entity = p.bot.entered!.entity;
  const other = realm.config.clientNodes.find((c) => c.id !== p.node)!;
  p.bot.close();
  await until(`${p.node} to see ${p.name} drop`, 5000, () => logLines(realm, p.node).find((l) => l.event === "player-dropped" && l.entity === entity));
  const bot = await PlayerBot.connect(`ws://${other.ws.host}:${other.ws.port}/`, `${p.name}-resumed`);
  t.teardown(() => bot.close());
  const entered = await bot.resume(token);
  if (!entered.resumed || entered.entity !== entity) throw new Error(`${p.name} did not resume as entity ${entity}`);
  return { ...p, node: other.id, bot };
}

/** Logs the player out over HTTP (the realm node then kicks its connection, wherever its directory says it is); the close code its bot got. */
async function logOut(p: Player): Promise<number> {
  const out = await request(loginNodes[0]!, "POST", "/logout", { session: p.session });
  if (out.status !== 200) throw new Error(`logout ${p.name}: ${out.status} ${out.text}`);
  return (await p.bot.waitClosed(5000)).code;
}

/** The zone node holding the entity, and where. */
async function whereIs(entity: number): Promise<{ zone: string; x: number; y: number } | undefined> {
  for (const z of spec.zones) {
    const truth = await wire.request(z.id, Op.ZONE_TRUTH_REQUEST, {}, 1000).catch(() => undefined);
    const e = truth?.entities.find((x) => x.entity === entity);
    if (e) return { zone: z.id, x: e.x, y: e.y };
  }
  return undefined;
}

const [a, b, c, d, e, r1, r2, late] = (await createAccounts(db, "Mover", 8, PASSWORD)) as [string, string, string, string, string, string, string, string];

t.test("bad input - player lists and moves from nodes outside the config are refused; nothing changes", async (t) => {
  const before = await population();
  wire.send(realmNode, Op.SESSION_MOVED, { realm: spec.name, player: { accountId: "1", characterId: "stolen", entity: 1, world: spec.zones[0]!.id } });
  wire.send(realmNode, Op.REALM_DIRECTORY_REPORT, { realm: spec.name, players: [{ accountId: "2" }], done: true });
  const client = realm.config.clientNodes[0]!.id;
  wire.send(client, Op.REALM_DIRECTORY_REQUEST, { realm: spec.name });
  await until(`${realmNode} to refuse both`, 5000, () => (logLines(realm, realmNode).filter((l) => l.event === "directory-report-refused" && l.from === wire.self).length >= 2 ? true : undefined));
  await until(`${client} to refuse to list its players`, 5000, () => logLines(realm, client).find((l) => l.event === "directory-request-refused" && l.from === wire.self));
  t.equal(await population(), before, "no place was made or moved");
});

t.test("session moved - a player who resumed through another client node is kicked there", async (t) => {
  const first = await join(r1, "Rowan", true);
  const moved = await resumeElsewhere(first);
  t.not(moved.node, first.node, `${r1} resumed through ${moved.node}, having attached on ${first.node}`);
  await until(`${realmNode} to hear of the move`, 5000, () => logLines(realm, realmNode).find((l) => l.event === "session-moved" && l.to === moved.node));
  t.equal(await logOut(moved), CloseCode.KICKED, `the logout kicks it on ${moved.node}, the node that took it over`);
});

t.test("realm restart - kill -9 of the realm node: the restarted node rebuilds its directory and serves the connected players as before", async (t) => {
  const world = [await join(a, "Alda", true), await join(b, "Bran", true), await join(c, "Cora", true), await join(d, "Dain", true)];
  const lobby = await join(e, "Elin", false);
  const resumed = await resumeElsewhere(await join(r2, "Ryla", true));
  const nodes = new Set([...world, lobby, resumed].map((p) => p.node));
  t.equal(nodes.size, 2, `the players are spread over both client nodes (${[...nodes].join(", ")})`);
  const before = await population();
  t.equal(before, 6, "six players hold a place before the restart");

  const victim = await realm.node(realmNode);
  t.ok(victim?.pid, `${realmNode} runs`);
  const killedAt = Date.now();
  process.kill(victim!.pid!, "SIGKILL");
  // a login started while the realm node is down waits for it instead of failing
  const waiting = login(loginNodes[1]!, late, PASSWORD).then((res) => ({ res, ms: Date.now() - killedAt }));
  await realm.waitFor(`${realmNode} back up`, 20_000, (all) => all.some((n) => n.id === realmNode && n.state === "up" && n.pid !== victim!.pid));
  const upMs = Date.now() - killedAt;
  const rebuilt = await until("the directory rebuilt", 10_000, () => logLines(realm, realmNode).find((l) => l.event === "directory-rebuilt" && Date.parse(String(l.t)) >= killedAt));
  // a node slower than the rebuild's 2 s is merged when it answers: the counts are checked as they settle
  t.comment(`realm node up again ${upMs} ms after kill -9; ${JSON.stringify(rebuilt)}`);

  const { res, ms } = await waiting;
  t.equal(res.status, 200, `the login made while the realm node was down got in: ${res.text}`);
  t.comment(`that login took ${ms} ms from the kill (the realm node was seen up ${upMs} ms after it)`);
  await until("the realm to count the players it had, and the one who just logged in", 10_000, async () => ((await population()) === before + 1 ? true : undefined));
  t.pass("the realm counts the same players, and the one who just logged in");

  // a duplicate login of a connected account kicks the old connection, as before the restart
  const dup = world[0]!;
  const again = await login(loginNodes[0]!, dup.name, PASSWORD);
  t.equal(again.status, 200, again.text);
  const closed = await dup.bot.waitClosed(5000);
  t.equal(closed.code, CloseCode.KICKED, `${dup.name}'s old connection on ${dup.node} is kicked by the new login`);
  t.match(closed.reason, /logged in again/);
  const fresh = await PlayerBot.connect(again.body.client, `${dup.name}-again`);
  t.teardown(() => fresh.close());
  await fresh.hello(again.body.session);
  t.pass("and the new session attaches");
  t.equal(await population(), before + 1, "one place for the account, not two");

  t.equal(await logOut(world[1]!), CloseCode.KICKED, `a logout kicks ${world[1]!.name} on ${world[1]!.node}`);

  const list = await lobbyAsk(lobby.bot, () => lobby.bot.send({ op: PlayerOp.CMSG_CHAR_LIST }), PlayerOp.SMSG_CHAR_LIST);
  t.same(list.op === PlayerOp.SMSG_CHAR_LIST ? list.characters.map((x) => x.name) : [], ["Elin"], "a player in the lobby lists its characters");
  const entered = await lobby.bot.select(lobby.character.id);
  t.ok(entered.entity > 0, `and selects one (entity ${entered.entity})`);

  // the rebuilt directory knows the zone and entity of each character: a zone that restarts now
  // gets its players back under the entities their client nodes know them by
  const stays = world[2]!;
  const entity = stays.bot.entered!.entity;
  const at = await whereIs(entity);
  t.ok(at, `${stays.name} is in the world as entity ${entity}`);
  const zone = await realm.node(at!.zone);
  const zoneKilledAt = Date.now();
  process.kill(zone!.pid!, "SIGKILL");
  await until(`${at!.zone} to restart`, 20_000, async () => ((await realm.node(at!.zone))?.pid !== zone!.pid ? true : undefined));
  const backIn = await until(`${stays.name} back in ${at!.zone}`, 20_000, async () => ((await whereIs(entity))?.zone === at!.zone ? true : undefined));
  t.ok(backIn, `the realm node put ${stays.name} back in ${at!.zone} as entity ${entity}, ${Date.now() - zoneKilledAt} ms after the zone's kill -9`);

  t.equal(await logOut(resumed), CloseCode.KICKED, `the player who resumed through ${resumed.node} before the restart is kicked there`);
});
