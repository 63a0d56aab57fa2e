// Dungeons on the client node's side: a real client node and a real instance node, with the test
// playing the realm node (ZONE_ENTER into the instance) and the zone (its `redirect` events). A
// real WebSocket player follows its character into the dungeon (sees the dungeon's NPCs, moves
// quantized over the dungeon's size), reconnects inside it, and comes back out to the realm.
import t from "tap";
import { openInstance } from "../../common/instance-pool.ts";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { Op } from "../../common/opcodes.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { CloseCode, DUNGEON_REFUSAL_CODES, DungeonState, PlayerOp } from "../../common/player-opcodes.ts";
import type { PlayerState, ZoneEvent } from "../../common/protocol/zone.ts";
import { ClientWorld } from "../harness/client-world.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const CLIENT = "CLIENT-1";
const ZONE_1 = "FORTRAX-ZONE-1";
const INSTANCE = "INSTANCE-1";
const CRYPT = DUNGEON_MAPS.crypt;

/** The first message of this opcode after `from` (an index into the bot's messages). */
function waitMessage<O extends ServerMessage["op"]>(bot: PlayerBot, op: O, from: number, ms = 5000): Promise<Extract<ServerMessage, { op: O }>> {
  return until(`${bot.label} to get opcode ${op}`, ms, () => {
    if (bot.closed) throw new Error(`${bot.label} closed: ${bot.closed.code} ${bot.closed.reason}`);
    return bot.messages.slice(from).find((m): m is Extract<ServerMessage, { op: O }> => m.op === op);
  });
}

function state(entity: number, x: number, y: number): PlayerState {
  return { entity, characterId: `char-${entity}`, accountId: `acct-${entity}`, clientNode: CLIENT, name: `Hero${entity}`, x, y, heading: 0, level: 1, hp: 100, maxHp: 100, speed: 7, version: 0, seq: -1, seqMask: 0, moveSeq: -1 };
}

/** Walks in small steps (the zones allow 7 units a second), each quantized over the bot's current world. */
async function walk(bot: PlayerBot, from: [number, number], to: [number, number]): Promise<void> {
  const steps = Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) / 0.25);
  for (let i = 1; i <= steps; i++) {
    bot.moveTo(from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorld(t: { teardown(fn: () => Promise<void> | void): void }) {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  w.launch(INSTANCE);
  await w.ready(INSTANCE);
  // the zone's voice: a world node of the pool that this test does not start
  const zoneSide = realmWire(w.config, "INSTANCE-2", createLog("test-zone", "error"));
  t.teardown(() => zoneSide.close());
  const opened = await openInstance(w.wire, [INSTANCE], w.realm.name, "crypt");
  if (!opened) throw new Error("the instance node did not open a crypt");
  const events = (world: string, list: ZoneEvent[]): void => zoneSide.send(CLIENT, Op.ZONE_EVENTS, { zone: world, tick: 1, events: list });
  /** The instance's record of an entity, from its truth. */
  const inInstance = async (entity: number) => (await w.wire.request(INSTANCE, Op.ZONE_TRUTH_REQUEST, {}, 2000)).entities.find((e) => e.entity === entity);
  return { w, opened, events, inInstance };
}

t.test("client dungeons - a player follows into an instance, moves in its units, resumes inside and comes back out", async (t) => {
  const { w, opened, events, inInstance } = await startWorld(t);
  const a = await w.player(100, 100, undefined, "a");
  await until("a to see itself in the realm", 5000, () => a.bot.view.get(a.entity));

  // land next to one of the crypt's NPCs, so the view has something of the dungeon's to show
  const truth = await w.wire.request(INSTANCE, Op.ZONE_TRUTH_REQUEST, {}, 2000);
  const npc = truth.entities.find((e) => e.x > 10 && e.x < CRYPT.width - 20 && e.y > 10 && e.y < CRYPT.height - 10);
  t.ok(npc, "the crypt has NPCs");
  const land: [number, number] = [npc!.x + 3, npc!.y];
  const entered = await w.wire.request(INSTANCE, Op.ZONE_ENTER, { player: state(a.entity, ...land) }, 2000);
  t.ok(entered.ok, "the instance takes the character in");
  let mark = a.bot.messages.length;
  events(ZONE_1, [{ entity: a.entity, kind: "redirect", zone: opened.instance, dungeon: "crypt", x: land[0], y: land[1] }]);
  const changed = await waitMessage(a.bot, PlayerOp.SMSG_WORLD_CHANGED, mark);
  t.match(changed, { dungeon: "crypt", width: CRYPT.width, height: CRYPT.height, cell: CRYPT.cell }, "the player hears it is in a crypt, and its size");
  const reset = a.bot.messages.findIndex((m, i) => i >= mark && m.op === PlayerOp.SMSG_VIEW_RESET);
  t.ok(reset >= 0 && reset < a.bot.messages.indexOf(changed), "its view was reset first");
  t.notOk(a.bot.messages.slice(mark).some((m) => m.op === PlayerOp.SMSG_ZONE_CHANGED || m.op === PlayerOp.SMSG_ENTERED), "no zone change, no new session");
  await until("a to see the NPC and itself in the crypt", 8000, () => (a.bot.view.get(npc!.entity) && a.bot.view.get(a.entity) ? true : undefined));
  const self = a.bot.view.get(a.entity)!;
  t.ok(Math.abs((self.qx * CRYPT.width) / 65535 - land[0]) < 0.5, "its own record is at the landing place, in the crypt's units");

  // moves go to the instance, quantized over the crypt's 400 units (not the realm's 1000)
  await walk(a.bot, land, [land[0] + 3, land[1]]);
  const moved = await until("the move to reach the instance", 5000, async () => {
    const r = await inInstance(a.entity);
    return r && Math.abs(r.x - (land[0] + 3)) < 0.1 ? r : undefined;
  });
  t.ok(Math.abs(moved.y - land[1]) < 0.1, `the instance holds the character where it walked (${moved.x.toFixed(2)}, ${moved.y.toFixed(2)})`);

  // a reconnect inside the dungeon: the instance answers the reattach, the view is the dungeon's
  const token = a.bot.entered!.token;
  a.bot.close();
  await new Promise((r) => setTimeout(r, 300));
  const b = await PlayerBot.connect(w.url(), "a-again");
  t.teardown(() => b.close());
  const back = await b.resume(token);
  t.equal(back.resumed, true, "resumed");
  const world = await waitMessage(b, PlayerOp.SMSG_WORLD_CHANGED, 0);
  t.match(world, { dungeon: "crypt", width: CRYPT.width }, "told at once that it is in the crypt");
  t.ok(Math.abs((back.qx * CRYPT.width) / 65535 - (land[0] + 3)) < 0.5, "SMSG_ENTERED places it where the instance holds it, in the crypt's units");
  await until("the resumed player to see the crypt's NPC", 8000, () => b.view.get(npc!.entity));
  await walk(b, [land[0] + 3, land[1]], [land[0] + 4, land[1]]);
  await until("a move after the resume to reach the instance", 5000, async () => {
    const r = await inInstance(a.entity);
    return r && Math.abs(r.x - (land[0] + 4)) < 0.1 ? r : undefined;
  });

  // out again: the instance's redirect back to the entrance in the realm's world
  mark = b.messages.length;
  b.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
  events(opened.instance, [{ entity: a.entity, kind: "redirect", zone: ZONE_1, x: 100, y: 100 }]);
  const out = await waitMessage(b, PlayerOp.SMSG_WORLD_CHANGED, mark);
  t.match(out, { dungeon: "", width: 1000, height: 1000 }, "back in the realm's world");
  // (the instance itself may refuse: this character came in by the test's ZONE_ENTER, not by an entrance)
  t.notOk(b.messages.slice(mark).some((m) => m.op === PlayerOp.SMSG_REFUSED && m.reason === "not in a dungeon"), "the client node passed the leave on");
  await until("the player to see itself in the realm and not the crypt's NPC", 8000, () => (b.view.get(a.entity) && !b.view.get(npc!.entity) ? true : undefined));
  await walk(b, [100, 100], [101, 100]);
  const inZone = await until("the move to reach the realm's zone", 5000, async () => {
    const r = (await w.wire.request(ZONE_1, Op.ZONE_TRUTH_REQUEST, {}, 2000)).entities.find((e) => e.entity === a.entity);
    return r && Math.abs(r.x - 101) < 0.1 ? r : undefined;
  });
  t.ok(inZone, "moves go to the zone again, in the realm's units");
  mark = b.messages.length;
  b.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
  const refused = await waitMessage(b, PlayerOp.SMSG_REFUSED, mark);
  t.equal(refused.reason, "not in a dungeon", "a leave outside a dungeon is refused, not kicked");
  const log = w.logOf(CLIENT);
  t.ok(log.includes('"player-into-dungeon"') && log.includes('"player-out-of-dungeon"'), "the client node logged both moves");
  t.notOk(log.includes('"level":"error"'), "and no error");
  b.close();
});

t.test("client dungeons - a character put back in the realm (its instance failed) takes the player back there, no new session", async (t) => {
  const { w, opened, events } = await startWorld(t);
  const a = await w.player(300, 300, undefined, "a");
  await until("a in the realm", 5000, () => a.bot.view.get(a.entity));
  await w.wire.request(INSTANCE, Op.ZONE_ENTER, { player: state(a.entity, ...CRYPT.entrance) }, 2000);
  let mark = a.bot.messages.length;
  events(ZONE_1, [{ entity: a.entity, kind: "redirect", zone: opened.instance, dungeon: "crypt", x: CRYPT.entrance[0], y: CRYPT.entrance[1] }]);
  await waitMessage(a.bot, PlayerOp.SMSG_WORLD_CHANGED, mark);
  // the realm node puts the character back in the entrance's zone from its checkpoint
  mark = a.bot.messages.length;
  const again = await w.wire.request(ZONE_1, Op.ZONE_ENTER, { player: state(a.entity, 300, 300) }, 2000);
  t.ok(again.ok, "the zone takes the character back");
  const out = await waitMessage(a.bot, PlayerOp.SMSG_WORLD_CHANGED, mark);
  t.match(out, { dungeon: "", width: 1000 }, "the player follows back to the realm's world");
  t.notOk(a.bot.messages.slice(mark).some((m) => m.op === PlayerOp.SMSG_ENTERED), "no new session");
  await until("the player to see itself at the entrance", 5000, () => {
    const self = a.bot.view.get(a.entity);
    return self && Math.abs((self.qx * 1000) / 65535 - 300) < 1 ? self : undefined;
  });
  a.bot.close();
});

t.test("client dungeons - requests: the realm's answers reach the player; bad ones are refused without a kick", async (t) => {
  const { w } = await startWorld(t);
  w.answerDungeon = (b) => (b.entrance === "crypt-gate" ? { ok: true, state: "queued", position: 2 } : { ok: false, code: "too-far", error: "walk to the entrance" });
  const a = await w.player(100, 100, undefined, "a");
  let mark = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "crypt-gate" });
  t.match(await waitMessage(a.bot, PlayerOp.SMSG_DUNGEON, mark), { state: DungeonState.QUEUED, entrance: "crypt-gate", position: 2 }, "queued, second in line");
  t.same(w.dungeonRequests.map((r) => [r.accountId, r.entrance]), [[`acct-${a.entity}`, "crypt-gate"]], "the realm node was asked for this account");
  mark = a.bot.messages.length;
  w.wire.send(CLIENT, Op.DUNGEON_STATUS, { accountId: `acct-${a.entity}`, entrance: "crypt-gate", state: "admitted" });
  t.match(await waitMessage(a.bot, PlayerOp.SMSG_DUNGEON, mark), { state: DungeonState.ADMITTED, entrance: "crypt-gate" }, "admitted from the queue");
  mark = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "far-keep" });
  t.match(await waitMessage(a.bot, PlayerOp.SMSG_DUNGEON, mark), { state: DungeonState.REFUSED, code: DUNGEON_REFUSAL_CODES["too-far"], text: "walk to the entrance" }, "a refusal with its code");

  mark = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "x".repeat(100) });
  t.match(await waitMessage(a.bot, PlayerOp.SMSG_REFUSED, mark), { reason: /1 to 64 bytes/ }, "a name too long is refused");
  // three asks are the burst: two used above; one more passes, the rest are refused here
  const asked = w.dungeonRequests.length;
  mark = a.bot.messages.length;
  for (let i = 0; i < 5; i++) a.bot.send({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "crypt-gate" });
  await until("the flood to be answered", 5000, () => (a.bot.messages.slice(mark).filter((m) => m.op === PlayerOp.SMSG_REFUSED || m.op === PlayerOp.SMSG_DUNGEON).length >= 5 ? true : undefined));
  const floodRefusals = a.bot.messages.slice(mark).filter((m) => m.op === PlayerOp.SMSG_REFUSED && m.reason === "dungeon requests too fast").length;
  t.ok(floodRefusals >= 4, `a flood of requests is refused (${floodRefusals} of 5)`);
  t.ok(w.dungeonRequests.length - asked <= 1, "and does not reach the realm node");
  mark = a.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_DUNGEON_LEAVE });
  t.match(await waitMessage(a.bot, PlayerOp.SMSG_REFUSED, mark), { reason: "not in a dungeon" }, "a leave outside a dungeon is refused");
  w.wire.send(CLIENT, Op.DUNGEON_STATUS, { accountId: "acct-nobody", entrance: "crypt-gate", state: "dropped" });
  await a.bot.waitFrames(5);
  t.equal(a.bot.closed, undefined, "none of it closed the connection");
  a.bot.raw(Buffer.from([31]));
  t.equal((await a.bot.waitClosed()).code, CloseCode.UNKNOWN_OPCODE, "an unknown opcode still closes");
});

t.test("client dungeons - movement checks hold inside: moves of the old world are dropped, teleports in the dungeon close", async (t) => {
  const { w, opened, events, inInstance } = await startWorld(t);
  const a = await w.player(100, 100, undefined, "a");
  await until("a in the realm", 5000, () => a.bot.view.get(a.entity));
  await w.wire.request(INSTANCE, Op.ZONE_ENTER, { player: state(a.entity, ...CRYPT.entrance) }, 2000);
  const mark = a.bot.messages.length;
  events(ZONE_1, [{ entity: a.entity, kind: "redirect", zone: opened.instance, dungeon: "crypt", x: CRYPT.entrance[0], y: CRYPT.entrance[1] }]);
  await waitMessage(a.bot, PlayerOp.SMSG_WORLD_CHANGED, mark);
  // moves sent before the player applied SMSG_WORLD_CHANGED carry the old count of corrections
  // (quantized over the realm's 1000 units they would read as far jumps): dropped, no strike
  for (let i = 1; i <= 8; i++) a.bot.send({ op: PlayerOp.CMSG_MOVE, qx: 65535, qy: 65535, heading: 0, seq: 100 + i, corrections: 0 });
  await a.bot.waitFrames(5);
  t.equal(a.bot.closed, undefined, "moves of the old world are dropped without closing");
  const r = await inInstance(a.entity);
  t.ok(r && Math.hypot(r.x - CRYPT.entrance[0], r.y - CRYPT.entrance[1]) < 0.5, "and never reach the instance");
  // with the new count, jumps across the crypt are teleports: dropped, then closed
  for (let i = 0; i < 6; i++) a.bot.moveTo(i % 2 === 0 ? CRYPT.width - 10 : 10, CRYPT.height - 10);
  t.equal((await a.bot.waitClosed()).code, CloseCode.IMPLAUSIBLE_MOVEMENT, "teleports inside the dungeon close the player");
});
