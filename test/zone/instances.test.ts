// Dungeon instances from the shared pool: a realm opens one on a free node, it caps its players,
// and once empty for long enough it closes and its node goes back to the pool.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import t from "tap";
import type { Frame } from "../../common/codec.ts";
import { openInstance } from "../../common/instance-pool.ts";
import { launchNode } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body, Reply } from "../../common/protocol/index.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { loadConfig } from "../../config/load.ts";
import { findNode } from "../../common/topology.ts";
import { tempDir, until } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

const OWNER = "FORTRAX-REALM";

t.test("instances - open on a free pool node, cap players, close when empty, node back in the pool", async (t) => {
  const dir = tempDir(t, "realm-instance-");
  const file = await writeTestConfig(dir, { edit: (doc) => (doc.instances.close_after = "1s") });
  const config = loadConfig(file);
  const closed: Body<typeof Op.INSTANCE_CLOSED>[] = [];
  const wire = realmWire(config, OWNER, createLog("test", "error"), (f: Frame) => {
    if (f.op === Op.INSTANCE_CLOSED) closed.push(f.body);
  });
  await wire.bind(findNode(config, OWNER)!.inbox);
  const children: ChildProcess[] = config.instances.pool.map((n) => launchNode(n, { configFile: file, dataDir: config.dataDir, env: process.env, stopWithLauncher: true }));
  t.teardown(async () => {
    await wire.close();
    await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once("exit", () => r()), c.kill("SIGTERM"))))));
  });
  const pool = config.instances.pool.map((n) => n.id);
  for (const id of pool) await until(`${id} up`, 20_000, () => wire.request(id, Op.PING, {}, 300).then(() => true, () => undefined));

  const a = await openInstance(wire, pool, "Fortrax", "crypt", 2);
  const b = await openInstance(wire, pool, "Fortrax", "mine");
  t.ok(a && b, "two dungeons open on the two pool nodes");
  t.not(a!.node, b!.node, "on different nodes");
  t.equal(await openInstance(wire, pool, "Fortrax", "keep"), undefined, "a third finds the pool exhausted");

  const enter = (entity: number, into = a!): Promise<Reply<typeof Op.ZONE_ENTER>> => {
    const player = { entity, characterId: `c${entity}`, accountId: `a${entity}`, clientNode: "CLIENT-1", name: `P${entity}`, x: into.entranceX, y: into.entranceY, heading: 0, level: 1, hp: 100, maxHp: 100, speed: 7, version: 0, seq: -1, seqMask: 0, moveSeq: -1 };
    return wire.request(into.node, Op.ZONE_ENTER, { player }, 2000);
  };
  t.ok((await enter(9, b!)).ok, "a player keeps the other dungeon busy");
  t.ok((await enter(1)).ok && (await enter(2)).ok, "two players enter a dungeon capped at 2");
  const third = await enter(3);
  t.same([third.ok, third.code], [false, "full"], "the third is refused: full");

  // the players' own client node says they left
  const client = realmWire(config, "CLIENT-1", createLog("test", "error"));
  t.teardown(() => client.close());
  client.send(a!.node, Op.ZONE_INTENTS, { intents: [{ entity: 1, seq: 0, kind: "leave" }, { entity: 2, seq: 0, kind: "leave" }] });
  const gone = await until("the empty dungeon to close", 10_000, () => closed.find((c) => c.instance === a!.instance));
  t.same(gone, { node: a!.node, instance: a!.instance, realm: "Fortrax" }, "it closes and tells the realm that opened it");
  const again = await openInstance(wire, pool, "Fortrax", "keep");
  t.equal(again?.node, a!.node, "its node is back in the pool and takes the next dungeon");
  t.not(again?.instance, a!.instance, "as a fresh instance");
});

t.test("instances - two realms asking the shared pool at once never get one node", async (t) => {
  const dir = tempDir(t, "realm-instance-two-");
  const file = await writeTestConfig(dir, { from: fileURLToPath(new URL("../../config/examples/two-realms.yaml", import.meta.url)) });
  const config = loadConfig(file);
  const realms = config.realms.map((r) => ({ name: r.name, wire: realmWire(config, r.realmNode.id, createLog("test", "error")) }));
  const children: ChildProcess[] = config.instances.pool.map((n) => launchNode(n, { configFile: file, dataDir: config.dataDir, env: process.env, stopWithLauncher: true }));
  t.teardown(async () => {
    await Promise.all(realms.map((r) => r.wire.close()));
    await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once("exit", () => r()), c.kill("SIGTERM"))))));
  });
  const pool = config.instances.pool.map((n) => n.id);
  for (const id of pool) await until(`${id} up`, 20_000, () => realms[0]!.wire.request(id, Op.PING, {}, 300).then(() => true, () => undefined));

  // each realm asks twice, all four at once, for a pool of three
  const asks = realms.flatMap((r) => [r, r]).map((r) => openInstance(r.wire, pool, r.name, "crypt").then((o) => ({ realm: r.name, node: o?.node })));
  const got = await Promise.all(asks);
  const nodes = got.filter((g) => g.node !== undefined).map((g) => g.node);
  t.equal(nodes.length, pool.length, `${pool.length} dungeons opened, one ask found the pool exhausted`);
  t.equal(new Set(nodes).size, nodes.length, "each on its own node: no node went to two realms");
  t.ok(realms.every((r) => got.some((g) => g.realm === r.name && g.node !== undefined)), "both realms got one");
  const spoof = await realms[1]!.wire.request(pool[0]!, Op.INSTANCE_OPEN, { realm: realms[0]!.name, dungeon: "mine" }, 2000);
  t.same([spoof.ok, spoof.code], [false, "not-that-realm"], "a realm node opening a dungeon in another realm's name is refused");
});
