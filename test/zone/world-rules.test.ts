// The zone's rules in-process, tick by tick: NPCs wake near players, chase, give up past their
// leash, die, drop loot only the killer may take at first, and come back; chat has a range.
import t from "tap";
import { EntityKind } from "../../common/cell-snapshot.ts";
import type { Intent, PlayerState, ZoneEvent } from "../../common/protocol/zone.ts";
import type { Without } from "../../common/schema.ts";
import { Terrain } from "../../nodes/zone/movement.ts";
import { NPC_TEMPLATES } from "../../nodes/zone/npcs.ts";
import { SeqWindow } from "../../nodes/zone/seq-window.ts";
import { LOOT_OWNER_MS, Zone } from "../../nodes/zone/zone.ts";

const CLIENT = "CLIENT-1";

function world(): { zone: Zone; events: ZoneEvent[]; looted: number[] } {
  const events: ZoneEvent[] = [];
  const looted: number[] = [];
  const zone = new Zone({
    id: "Z",
    region: [0, 0, 1000, 1000],
    cellSize: 50,
    terrain: new Terrain([0, 0, 1000, 1000], []),
    tickHz: 20,
    vision: 100,
    npcs: 0,
    entityBase: 1000,
    peers: [],
    random: () => 0.5,
    outputs: { events: (_c, evs) => events.push(...evs), crossing: () => {}, departed: () => {}, looted: (_p, _e, _t, item) => looted.push(item), traded: () => {} },
  });
  return { zone, events, looted };
}

function player(entity: number, x: number, y: number): PlayerState {
  return { entity, characterId: `c${entity}`, accountId: `a${entity}`, clientNode: CLIENT, name: `P${entity}`, x, y, heading: 0, level: 1, hp: 100, maxHp: 100, speed: 7, version: 0, seq: -1, seqMask: 0, moveSeq: -1 };
}

/**
 * Players 1 (at 100,100) and 2 (at 100,200), speed 7; `walk` queues a player's move to x along its
 * row, as from their client node; `refused` counts its moves refused as too fast.
 */
function twoWalkers(): { zone: Zone; walk: (entity: 1 | 2, x: number) => void; refused: (entity: number) => number } {
  const { zone, events } = world();
  zone.enter(player(1, 100, 100));
  zone.enter(player(2, 100, 200));
  let seq = 0;
  return {
    zone,
    walk: (entity, x) => zone.queue([{ entity, seq: seq++, kind: "move", x, y: entity === 1 ? 100 : 200, heading: 0 }], CLIENT),
    refused: (entity) => events.filter((e) => e.kind === "correct" && e.entity === entity && e.reason === "too-fast").length,
  };
}

t.test("zone rules - an NPC sleeps far from players, wakes, chases, hits, and gives up past its leash", async (t) => {
  const { zone } = world();
  const wolf = NPC_TEMPLATES[0]!;
  const npc = zone.brains.spawn(zone.e, 5000, wolf, 500, 500);
  zone.grid.place(zone.e, npc);
  let now = 0;
  const tick = (n = 1): void => {
    for (let i = 0; i < n; i++) zone.step((now += 50));
  };
  zone.enter(player(1, 900, 900));
  tick(10);
  t.equal(zone.awakeNpcs, 0, "asleep with no player within vision");
  zone.displace(1, 500 + wolf.aggro - 2, 500);
  tick(8);
  t.equal(zone.awakeNpcs, 1, "awake once a player is near");
  t.equal(zone.brains.target[npc], zone.e.slot(1), "it picked the player as its target");
  tick(60);
  t.ok(zone.e.hp[zone.e.slot(1)!]! < 100, "and hit the player");
  zone.displace(1, 500 + wolf.leash + 20, 500);
  // it chases until past its leash (about 8 s at its speed), then walks home (as long again)
  tick(400);
  t.equal(zone.brains.target[npc], -1, "past the leash it gives up");
  t.ok(Math.hypot(zone.e.x[npc]! - 500, zone.e.y[npc]! - 500) <= 10.5, `and walks home (at ${zone.e.x[npc]}, ${zone.e.y[npc]}, hp ${zone.e.hp[npc]})`);
});

t.test("zone rules - a kill drops loot the killer may take first; attacks need range and cooldown", async (t) => {
  const { zone, events, looted } = world();
  const boar = { ...NPC_TEMPLATES[1]!, aggro: 0 };
  const npc = zone.brains.spawn(zone.e, 5000, boar, 100, 100);
  zone.grid.place(zone.e, npc);
  zone.enter(player(1, 101, 100));
  zone.enter(player(2, 102, 100));
  let now = 0;
  let seq = 0;
  const act = (i: Without<Intent, "seq">): void => zone.queue([{ ...i, seq: seq++ }], CLIENT);
  const tick = (ms = 50): void => zone.step((now += ms));

  zone.displace(2, 300, 300);
  act({ entity: 2, kind: "attack", target: 5000 });
  tick();
  t.ok(events.some((e) => e.entity === 2 && e.kind === "refused" && e.reason === "out of range"), "out of range refused");
  act({ entity: 1, kind: "attack", target: 5000 });
  act({ entity: 1, kind: "attack", target: 5000 });
  tick();
  t.ok(events.some((e) => e.entity === 1 && e.kind === "refused" && e.reason === "cooldown"), "a second blow within the cooldown refused");
  while (zone.e.hp[npc]! > 0) {
    act({ entity: 1, kind: "attack", target: 5000 });
    tick(1000);
  }
  const drop = [...Array(zone.e.high).keys()].find((s) => zone.e.alive[s] && zone.e.kind[s] === EntityKind.LOOT)!;
  t.ok(drop !== undefined, "the kill dropped loot");
  const dropId = zone.e.id[drop]!;
  zone.displace(2, 101, 101);
  events.length = 0;
  act({ entity: 2, kind: "loot", target: dropId });
  tick();
  t.ok(events.some((e) => e.entity === 2 && e.kind === "refused" && e.reason === "not yours yet"), "another player may not take it at first");
  act({ entity: 1, kind: "loot", target: dropId });
  tick();
  t.same(looted, [boar.loot], "the killer takes it");
  t.notOk(zone.owns(dropId), "and it is gone from the world");
  t.ok(LOOT_OWNER_MS > 0);
  now += boar.respawnMs;
  tick();
  t.equal(zone.e.hp[npc], boar.maxHp, "the NPC respawns at full health");
});

t.test("zone rules - say reaches players in range only; zone chat reaches all; only a player's client node speaks for it", async (t) => {
  const { zone, events } = world();
  zone.enter(player(1, 100, 100));
  zone.enter(player(2, 130, 100));
  zone.enter(player(3, 900, 900));
  zone.queue([{ entity: 1, seq: 0, kind: "say", text: "hello" }], CLIENT);
  zone.step(50);
  t.same(events.filter((e) => e.kind === "say").map((e) => e.entity).sort(), [1, 2]);
  events.length = 0;
  zone.queue([{ entity: 1, seq: 1, kind: "zone-chat", text: "all" }], CLIENT);
  zone.step(100);
  t.same(events.filter((e) => e.kind === "zone-chat").map((e) => e.entity).sort(), [1, 2, 3]);
  events.length = 0;
  zone.queue([{ entity: 1, seq: 2, kind: "zone-chat", text: "forged" }], "CLIENT-2");
  zone.step(150);
  t.same(events, [], "intents from another client node are ignored");
});

t.test("zone rules - a starved zone that skips ticks still lets a player walk at its speed, and still refuses a faster one", async (t) => {
  const { zone, walk, refused } = twoWalkers();
  let now = 1000;
  // one tick in four runs (200 ms apart); player 1 walks at 6 units/s, player 2 at 9 (its speed is 7)
  for (let i = 1; i <= 50; i++) {
    walk(1, 100 + 1.2 * i);
    walk(2, 100 + 1.8 * i);
    zone.step((now += 200));
  }
  t.equal(refused(1), 0, "10 s of walking under the speed, one tick run in four: never refused");
  t.equal(zone.e.x[zone.e.slot(1)!], 160, "and every step applied");
  t.ok(refused(2) > 0, `walking faster than its speed is still refused (${refused(2)} corrections)`);
});

t.test("zone rules - a zone stalled longer than the second banked lets the walk that queued meanwhile pass, and no faster one", async (t) => {
  const { zone, walk, refused } = twoWalkers();
  let now = 1000;
  zone.step(now);
  // the zone's process gets no CPU for 2 s; its players' moves queue: 12 units at 6 units/s, 18 at 9 (speed 7)
  for (let i = 1; i <= 20; i++) {
    walk(1, 100 + 0.6 * i);
    walk(2, 100 + 0.9 * i);
  }
  zone.step((now += 2000));
  t.equal(refused(1), 0, "2 s of walking under the speed, applied in one late tick: never refused");
  t.equal(zone.e.x[zone.e.slot(1)!], 112, "and every step applied");
  t.ok(refused(2) > 0, `walking faster than its speed is still refused (${refused(2)} corrections)`);
});

t.test("zone rules - moves a stalled client node forwards late pass when it says how long it stalled, and only for its own players", async (t) => {
  const { zone, walk, refused } = twoWalkers();
  let now = 1000;
  zone.step(now);
  // the zone keeps ticking for 3 s while the client node reads nothing
  for (let i = 0; i < 60; i++) zone.step((now += 50));
  // then both players' 3 s of walking at 6 units/s (speed 7) arrive in one batch, 30 moves each
  zone.excuse(1, 3, CLIENT);
  zone.excuse(2, 3, "CLIENT-2");
  for (let i = 1; i <= 30; i++) {
    walk(1, 100 + 0.6 * i);
    walk(2, 100 + 0.6 * i);
  }
  zone.step((now += 50));
  t.equal(refused(1), 0, "the excused player's 18 units in one tick all pass");
  t.equal(zone.e.x[zone.e.slot(1)!], 118, "and every step applied");
  t.ok(refused(2) > 0, `an excuse from a node that does not speak for the player counts for nothing (${refused(2)} corrections)`);
  // the excuse is the stall's worth, not a licence to run
  for (let i = 31; i <= 60; i++) walk(1, 100 + 0.6 * i);
  zone.step((now += 50));
  t.ok(refused(1) > 0, "a second pile with no stall behind it is refused");
});

t.test("zone rules - the seq window applies each intent once, in any order, and forgets nothing recent", async (t) => {
  const w = new SeqWindow();
  const order = [0, 2, 1, 5, 3, 4, 40, 39, 8, 2, 40];
  const applied = order.filter((s) => {
    if (w.applied(s)) return false;
    w.mark(s);
    return true;
  });
  t.same(applied, [0, 2, 1, 5, 3, 4, 40, 39, 8]);
  t.ok(w.applied(1), "older than the window counts as applied");
  const copy = new SeqWindow(w.high, w.mask);
  t.ok(copy.applied(39) && copy.applied(8) && !copy.applied(38) && !copy.applied(41), "the window carries across a handoff");
});
