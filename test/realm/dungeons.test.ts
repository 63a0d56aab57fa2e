// Dungeons end to end on the server side, with real processes: a party at an entrance is handed
// from its zone to a pool instance (one owner all along), loots into the realm's database, leaves
// back to the entrance; a full pool queues with positions and admits when an instance closes; an
// instance killed -9 gives its players back at the entrance from their checkpoints; a zone
// restarted puts back a player that arrived by handoff (the realm node heard of the arrival).
import t from "tap";
import { EntityKind } from "../../common/cell-snapshot.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { Op } from "../../common/opcodes.ts";
import { nodeOfWorld } from "../../common/world-address.ts";
import type { ZoneEventOf } from "../../common/protocol/zone.ts";
import { findNode } from "../../common/topology.ts";
import type { Wire } from "../../common/wire.ts";
import { DungeonWorld, type Player } from "../harness/dungeon-world.ts";
import { CLIENT } from "../harness/zone-world.ts";
import { until } from "../harness/realm.ts";

const CRYPT: [number, number] = [1000, 2000];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Walks to the nearest NPC of the dungeon, kills it and takes its drop: the loot event once the database has it. */
async function fightAndLoot(w: DungeonWorld, world: string, entity: number): Promise<ZoneEventOf<"loot">> {
  const node = nodeOfWorld(world);
  let attackedAt = 0;
  let lootedAt = 0;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const got = w.events.find((e): e is ZoneEventOf<"loot"> & { world: string } => e.kind === "loot" && e.entity === entity);
    if (got) return got;
    const truth = await w.truth(node);
    const me = truth.entities.find((e) => e.entity === entity);
    if (!me) throw new Error(`${entity} is not in ${world}`);
    const dist = (e: { x: number; y: number }) => Math.hypot(e.x - me.x, e.y - me.y);
    const nearest = (kind: number) => truth.entities.filter((e) => e.kind === kind).sort((a, b) => dist(a) - dist(b))[0];
    const target = nearest(EntityKind.LOOT) ?? nearest(EntityKind.NPC);
    if (!target) throw new Error(`no NPC in ${world}`);
    const d = dist(target);
    const reach = target.kind === EntityKind.LOOT ? 3 : 2.5;
    const now = Date.now();
    if (d > reach) {
      const step = Math.min(d - reach / 2, 0.5) / d;
      w.intent(world, { entity, kind: "move", x: me.x + (target.x - me.x) * step, y: me.y + (target.y - me.y) * step });
    } else if (target.kind === EntityKind.LOOT && now - lootedAt > 1000) {
      lootedAt = now;
      w.intent(world, { entity, kind: "loot", target: target.entity });
    } else if (target.kind === EntityKind.NPC && now - attackedAt > 1100) {
      attackedAt = now;
      w.intent(world, { entity, kind: "attack", target: target.entity });
    }
    await sleep(100);
  }
  throw new Error("no loot within 90 s");
}

/** Samples the instance then the zone: once the instance holds a player the zone has let go, so both holding it is two owners. */
async function owners(w: DungeonWorld, instanceNode: string, zone: string, entity: number): Promise<number> {
  const inInstance = (await w.positionIn(instanceNode, entity)) !== undefined;
  const inZone = (await w.positionIn(zone, entity)) !== undefined;
  return Number(inInstance) + Number(inZone);
}

t.test("dungeons - enter at the entrance, one owner all along, loot kept, leave back to the entrance", async (t) => {
  const w = await DungeonWorld.start(t);
  const zone1 = w.realm.zones[0]!.id;
  const [hero, far] = [await w.player(), await w.player()];
  t.equal(hero.zone, zone1, "the first character starts at the crypt gate");

  const refusal = await w.enter(far.accountId, "crypt-gate");
  t.same([refusal.ok, refusal.code], [false, "too-far"], "a player at the other end of the world is refused: too-far");

  let twoOwners = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const node of w.config.instances.pool.map((i) => i.id)) if ((await owners(w, node, zone1, hero.entity)) > 1) twoOwners++;
    }
  })();
  const askedAt = Date.now();
  const answer = await w.enter(hero.accountId, "crypt-gate");
  t.comment(`DUNGEON_ENTER answered in ${Date.now() - askedAt} ms (zone check, pool, handoff)`);
  t.same([answer.ok, answer.state], [true, "entering"], "at the entrance: entering");
  const into = await w.waitEvent("the redirect into the dungeon", "redirect", (e) => e.entity === hero.entity && e.dungeon !== undefined);
  t.equal(into.dungeon, "crypt", "the redirect names the dungeon");
  t.same([into.x, into.y], [20, 20], "and the landing point, the crypt's entrance");
  const instanceNode = nodeOfWorld(into.zone);
  t.ok(w.config.instances.pool.some((i) => i.id === instanceNode), `into ${into.zone}, on a pool node`);
  await until("the instance to hold the player", 10_000, () => w.positionIn(instanceNode, hero.entity));
  sampling = false;
  await sampler;
  t.equal(twoOwners, 0, "never held by the zone and the instance at once");
  t.equal(await w.positionIn(zone1, hero.entity), undefined, "the zone let go");
  const entered = w.logOf(instanceNode, (l) => l.event === "instance-entered" && l.entity === hero.entity);
  t.equal(entered.length, 1, "the instance logs instance-entered once");
  // a player reconnecting through another client node while inside: the instance answers as a zone does
  const other = realmWire(w.config, "CLIENT-2", createLog("test-reattach", "error"));
  t.teardown(() => other.close());
  const reattached = await other.request(instanceNode, Op.ZONE_REATTACH, { entity: hero.entity, clientNode: "CLIENT-2" }, 3000);
  t.same([reattached.ok, reattached.zone], [true, into.zone], "ZONE_REATTACH from the new client node finds the player in the instance");
  t.ok((await w.client.request(instanceNode, Op.ZONE_REATTACH, { entity: hero.entity, clientNode: CLIENT }, 3000)).ok, "and back to CLIENT-1 the same way");

  const loot = await fightAndLoot(w, into.zone, hero.entity);
  const item = loot.items[0]!;
  const owned = await w.db.loadCharacter(hero.characterId);
  t.ok(owned.inventory.includes(item), `the drop ${item} is the player's in the realm's database before it hears of it`);

  // the checkpoint inside is the entrance: the realm's world, not the dungeon's
  const saved = await until("the checkpoint at the entrance", 10_000, async () => {
    const c = await w.db.loadCharacter(hero.characterId);
    return c.x === CRYPT[0] && c.y === CRYPT[1] && c.version > 0 ? c : undefined;
  });
  t.ok(saved, "a checkpoint inside saves the entrance point");

  w.intent(into.zone, { entity: hero.entity, kind: "dungeon-leave" });
  const out = await w.waitEvent("the redirect out", "redirect", (e) => e.entity === hero.entity && e.dungeon === undefined && nodeOfWorld(e.world) === instanceNode);
  t.same([out.zone, out.x, out.y], [zone1, ...CRYPT], "out to the zone owning the entrance, at the entrance");
  const back = await until("the zone to hold the player again", 10_000, () => w.positionIn(zone1, hero.entity));
  t.same([back.x, back.y], CRYPT, "at the entrance");
  t.equal(await w.positionIn(instanceNode, hero.entity), undefined, "the instance let go");
  await until("the empty instance to close and the realm node to free it", 20_000, () => w.logOf(w.realm.realmNode.id, (l) => l.event === "instance-freed" && l.instanceNode === instanceNode)[0]);
  t.pass("INSTANCE_CLOSED handled by the realm node");
  t.ok((await w.db.loadCharacter(hero.characterId)).inventory.includes(item), "the loot stays after leaving");
});

t.test("dungeons - bad input refused (unknown entrance, not attached, spoofed account, not in the world); quitting inside saves the entrance; a stopping instance hands its players back; a zone restart puts back a player that walked in", async (t) => {
  const w = await DungeonWorld.start(t, { edit: (doc) => (doc.realms[0].checkpoint_every = "1s") });
  const [hero, lobby] = [await w.player(), await w.player({ lobby: true })];
  const code = async (accountId: string, entrance: string, as?: Wire) => (await w.enter(accountId, entrance, as)).code;
  t.equal(await code(hero.accountId, "no-such-gate"), "unknown-entrance", "an entrance the realm does not have");
  t.equal(await code("acct-nobody", "crypt-gate"), "not-attached", "an account with no session");
  const other = realmWire(w.config, "CLIENT-2", createLog("test-spoof", "error"));
  t.teardown(() => other.close());
  t.equal(await code(hero.accountId, "crypt-gate", other), "not-attached", "another client node speaking for a player it does not hold");
  t.equal(await code(lobby.accountId, "crypt-gate"), "not-in-world", "a player in the lobby");
  const zone1 = w.realm.zones[0]!.id;
  const grab = await w.tool.request(zone1, Op.ZONE_TRANSFER, { entities: [hero.entity], x: CRYPT[0], y: CRYPT[1], radius: 15, to: { node: "INSTANCE-1", world: "INSTANCE-1~9", dungeon: "crypt", landX: 20, landY: 20 } }, 3000);
  t.same([grab.ok, grab.code], [false, "not-realm"], "a zone moves players into a dungeon only for its realm node");
  t.ok(await w.positionIn(zone1, hero.entity), "and the player stays put");
  w.tool.send(w.realm.realmNode.id, Op.WORLD_ARRIVED, { world: "INSTANCE-1~9", entity: hero.entity, characterId: hero.characterId, accountId: hero.accountId, clientNode: CLIENT });
  await until("the spoofed arrival refused", 10_000, () => w.logOf(w.realm.realmNode.id, (l) => l.event === "world-arrived-refused")[0]);
  const answer = await w.enter(hero.accountId, "crypt-gate");
  t.same([answer.ok, answer.state], [true, "entering"], "the realm node still serves the real request: a spoofed arrival did not move the player in its directory");
  t.equal(w.statuses.length, 0, "no status went to anyone for the refusals");

  // leaving the game from inside: the last checkpoint is the entrance, where the next login starts
  const into = await w.waitEvent("the hero into the dungeon", "redirect", (e) => e.entity === hero.entity && e.dungeon !== undefined);
  const inside = await until("the checkpoint on arrival", 10_000, async () => {
    const c = await w.db.loadCharacter(hero.characterId);
    return c.version > 0 && c.x === CRYPT[0] ? c : undefined;
  });
  w.intent(into.zone, { entity: hero.entity, kind: "move", x: 21, y: 21 });
  w.intent(into.zone, { entity: hero.entity, kind: "leave" });
  const left = await until("the checkpoint of the departure", 10_000, async () => {
    const c = await w.db.loadCharacter(hero.characterId);
    return c.version > inside.version && w.logOf(nodeOfWorld(into.zone), (l) => l.event === "player-departed" && l.entity === hero.entity).length > 0 ? c : undefined;
  });
  t.same([left.x, left.y], CRYPT, "a player who leaves the game inside is saved at the entrance");

  // an instance node stopping with a player inside hands it back out first
  const third = await w.player();
  t.same((await w.enter(third.accountId, "crypt-gate")).state, "entering", "a third player goes in");
  const thirdInto = await w.waitEvent("the third into the dungeon", "redirect", (e) => e.entity === third.entity && e.dungeon !== undefined);
  w.children.get(nodeOfWorld(thirdInto.zone))!.kill("SIGTERM");
  const out = await w.waitEvent("the third out as its node stops", "redirect", (e) => e.entity === third.entity && e.dungeon === undefined);
  t.same([out.zone, out.x, out.y], [w.realm.zones[0]!.id, ...CRYPT], "the stopping node hands it back to the entrance");
  await until("the third in the zone", 10_000, () => w.positionIn(w.realm.zones[0]!.id, third.entity));

  // a player who walked into a zone by handoff is put back when that zone restarts (the realm node heard of the arrival)
  const zone2 = w.realm.zones[1]!.id;
  const walker = await w.player();
  t.equal(walker.zone, zone2, "the walker starts in zone 2");
  w.tool.send(zone2, Op.ZONE_DISPLACE, { entity: walker.entity, x: CRYPT[0] - 30, y: CRYPT[1], reason: "test" });
  await until("the walker's checkpoint in zone 1", 15_000, async () => ((await w.db.loadCharacter(walker.characterId)).x === CRYPT[0] - 30 ? true : undefined));
  process.kill(w.children.get(zone1)!.pid!, "SIGKILL");
  await until("zone 1 gone", 10_000, () => (w.children.get(zone1)!.signalCode !== null ? true : undefined));
  w.launch(findNode(w.config, zone1)!);
  const back = await until("the walker back in the restarted zone 1", 30_000, () => w.positionIn(zone1, walker.entity));
  t.same([back.x, back.y], [CRYPT[0] - 30, CRYPT[1]], "the restarted zone has the walker where its checkpoint left it");
});

t.test("dungeons - a party of 3 enters one instance; a full pool queues 1, 2 and admits when one closes; an instance killed -9 gives its players back at the entrance", async (t) => {
  const w = await DungeonWorld.start(t, { edit: (doc) => (doc.realms[0].checkpoint_every = "1s") });
  const [zone1, zone2] = w.realm.zones.map((z) => z.id) as [string, string];
  const players: Player[] = [];
  for (let i = 0; i < 8; i++) players.push(await w.player());
  const [leader, walker, member, solo, first, second, quitter, straggler] = players as [Player, Player, Player, Player, Player, Player, Player, Player];
  t.same([leader.zone, walker.zone, member.zone, solo.zone], [zone1, zone2, zone1, zone2], "characters start at the crypt gate and the old mine in turn");

  // the walker crosses from zone 2 to the crypt gate by handoff: the realm node must learn where it went
  w.tool.send(zone2, Op.ZONE_DISPLACE, { entity: walker.entity, x: CRYPT[0] + 5, y: CRYPT[1], reason: "test" });
  await until("the walker in zone 1", 10_000, () => w.positionIn(zone1, walker.entity));
  t.equal(straggler.zone, zone2, "a fourth member stands at the old mine, far from the crypt gate");
  w.setParties([[leader.characterId, member.characterId, walker.characterId, straggler.characterId]]);
  t.equal((await w.enter(member.accountId, "crypt-gate")).code, "not-leader", "only the leader may take the party in");
  t.same((await w.enter(leader.accountId, "crypt-gate")).state, "entering", "the leader takes it in");
  const party = [leader, member, walker];
  const redirects = await Promise.all(party.map((p) => w.waitEvent(`${p.entity} into the dungeon`, "redirect", (e) => e.entity === p.entity && e.dungeon === "crypt")));
  t.equal(new Set(redirects.map((r) => r.zone)).size, 1, `all three in the same instance, ${redirects[0]!.zone}`);
  const partyNode = nodeOfWorld(redirects[0]!.zone);
  for (const p of party) await until(`${p.entity} in the instance`, 10_000, () => w.positionIn(partyNode, p.entity));
  t.pass("the instance holds the three");
  t.ok(await w.positionIn(zone2, straggler.entity), "the member away from the entrance stays behind, in its zone");
  t.notOk(w.events.some((e) => e.entity === straggler.entity && e.kind === "redirect"), "and is not redirected");

  t.same((await w.enter(solo.accountId, "old-mine")).state, "entering", "a solo player takes the other pool node");
  const soloInto = await w.waitEvent("the solo player into the mine", "redirect", (e) => e.entity === solo.entity && e.dungeon === "mine");
  const q1 = await w.enter(first.accountId, "crypt-gate");
  const q2 = await w.enter(second.accountId, "old-mine");
  t.same([q1.state, q1.position, q2.state, q2.position], ["queued", 1, "queued", 2], "the pool is full: queued 1 and 2");
  t.equal((await w.enter(first.accountId, "crypt-gate")).code, "already-queued", "asking again while queued: already-queued");
  const flood = await Promise.all(Array.from({ length: 20 }, () => w.enter(second.accountId, "old-mine")));
  t.ok(flood.every((r) => r.code === "already-queued"), "a flood of asks: each already-queued");
  const q3 = await w.enter(quitter.accountId, "crypt-gate");
  t.same([q3.state, q3.position], ["queued", 3], "a third waits behind them");
  w.client.send(w.realm.realmNode.id, Op.REALM_PLAYER_LEFT, { accountId: quitter.accountId });
  const dropped = await w.waitStatus("the quitter's request dropped", (s) => s.accountId === quitter.accountId && s.state === "dropped");
  t.equal(dropped.reason, "left the realm", "a queued player who left the realm is dropped");

  w.intent(soloInto.zone, { entity: solo.entity, kind: "dungeon-leave" });
  await w.waitStatus("the head admitted once the mine closes", (s) => s.accountId === first.accountId && s.state === "admitted");
  const moved = await w.waitStatus("the second told it moved up", (s) => s.accountId === second.accountId && s.state === "queued");
  t.equal(moved.position, 1, "the second is told its new position, 1");
  await w.waitEvent("the admitted player into the crypt", "redirect", (e) => e.entity === first.entity && e.dungeon === "crypt");
  t.pass("the admitted player goes in");

  process.kill(w.children.get(partyNode)!.pid!, "SIGKILL");
  await until("the killed instance node gone", 10_000, () => (w.children.get(partyNode)!.exitCode !== null || w.children.get(partyNode)!.signalCode !== null ? true : undefined));
  const killedAt = Date.now();
  w.launch(findNode(w.config, partyNode)!);
  for (const p of party) {
    const at = await until(`${p.entity} back in zone 1`, 30_000, () => w.positionIn(zone1, p.entity));
    t.same([at.x, at.y], CRYPT, `${p.entity} back at the entrance, from its checkpoint`);
    await w.waitEvent(`${p.entity} told it entered`, "entered", (e) => e.entity === p.entity && e.zone === zone1);
  }
  t.comment(`the party back ${Date.now() - killedAt} ms after the kill -9 of ${partyNode}`);
  await w.waitStatus("the second admitted on the freed node", (s) => s.accountId === second.accountId && s.state === "admitted");
  t.pass("the node freed by the restart takes the next in the queue");

  // killed for good: the reviver's NODE_DOWN is enough to bring its players back
  const secondInto = await w.waitEvent("the second into the mine", "redirect", (e) => e.entity === second.entity && e.dungeon === "mine");
  await until("the second's checkpoint at the mine's entrance", 10_000, async () => ((await w.db.loadCharacter(second.characterId)).version > 0 ? true : undefined));
  const secondNode = nodeOfWorld(secondInto.zone);
  process.kill(w.children.get(secondNode)!.pid!, "SIGKILL");
  const reviver = realmWire(w.config, w.config.revivers[0]!.id, createLog("test-reviver", "error"));
  t.teardown(() => reviver.close());
  reviver.send(w.realm.realmNode.id, Op.NODE_DOWN, { nodeId: secondNode, kind: "instance", cause: "killed", at: Date.now() });
  const home = await until("the second back at the old mine", 30_000, () => w.positionIn(zone2, second.entity));
  t.same([home.x, home.y], [3000, 2000], "after NODE_DOWN of its instance, back at the old mine's entrance");
});
