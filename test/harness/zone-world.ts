// Real zone node processes without the rest of the realm: the test plays the realm node and a
// client node (it binds CLIENT-1's inbox) and subscribes to the zones' PUB sockets itself.
import type { ChildProcess } from "node:child_process";
import { ZoneFeed } from "../../common/zone-feed.ts";
import { blockTick, newRecord, Quantizer, readRecord, recordCount, type EntityRecord } from "../../common/cell-snapshot.ts";
import { cellTopic, newTopicAddress, nodeOfWorld, parseTopic } from "../../common/world-address.ts";
import type { Frame } from "../../common/codec.ts";
import { launchNode } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Reply } from "../../common/protocol/index.ts";
import type { Intent, PlayerState, ZoneEvent, ZoneEventOf } from "../../common/protocol/zone.ts";
import type { Without } from "../../common/schema.ts";
import { meshIdentity, realmWire } from "../../common/mesh/realm-mesh.ts";
import { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { findNode, type RealmSpec, type RealmsConfig } from "../../common/topology.ts";
import { tempDir, until } from "./realm.ts";
import { writeTestConfig } from "./test-config.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

export const CLIENT = "CLIENT-1";

/** A test config in a fresh temp folder: the shipped realm on free ports, its zones with `npcs` NPCs (none by default). */
export async function zoneTestConfig(t: Teardown, prefix: string, opts: { npcs?: number; edit?: (doc: any) => void }): Promise<{ file: string; config: RealmsConfig; realm: RealmSpec }> {
  const file = await writeTestConfig(tempDir(t, prefix), {
    edit: (doc) => {
      for (const z of doc.realms[0].zones) z.npcs = opts.npcs ?? 0;
      opts.edit?.(doc);
    },
  });
  const config = loadConfig(file);
  return { file, config, realm: config.realms[0]! };
}

/** Stops the processes (SIGTERM, SIGKILL after 5 s) and waits for each to exit. */
export function stopChildren(children: Iterable<ChildProcess>): Promise<void[]> {
  return Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
          setTimeout(() => c.kill("SIGKILL"), 5000).unref();
        }),
    ),
  );
}

export class ZoneWorld {
  readonly events: ZoneEvent[] = [];
  /** Latest record of each entity, from the cell blocks, with the world (zone or layer) that published it. */
  readonly seen = new Map<number, EntityRecord & { zone: string; tick: number }>();
  blocks = 0;
  private seq = new Map<number, number>();
  private readonly children: ChildProcess[] = [];
  private feed: ZoneFeed | undefined;
  // ZONE_ENTER is the realm node's to send (common/protocol/senders.ts), so it goes under that id
  readonly realmWire: Wire;

  private constructor(
    readonly config: RealmsConfig,
    readonly realm: RealmSpec,
    readonly wire: Wire,
    readonly q: Quantizer,
  ) {
    this.realmWire = realmWire(config, realm.realmNode.id, createLog("test-realm", "error"));
  }

  static async start(t: Teardown, opts: { npcs?: number; edit?: (doc: any) => void } = {}): Promise<ZoneWorld> {
    const { file, config, realm } = await zoneTestConfig(t, "realm-zone-", opts);
    const log = createLog("test-client", "error");
    let world: ZoneWorld | undefined;
    const wire = realmWire(config, CLIENT, log, (frame: Frame) => {
      if (frame.op === Op.ZONE_EVENTS) world?.events.push(...frame.body.events);
    });
    world = new ZoneWorld(config, realm, wire, new Quantizer(realm.world.width, realm.world.height));
    t.teardown(() => world!.stop());
    await wire.bind(findNode(config, CLIENT)!.inbox);
    for (const z of realm.zones) world.children.push(launchNode(z, { configFile: file, dataDir: config.dataDir, env: process.env, stopWithLauncher: true }));
    for (const z of realm.zones) await until(`${z.id} to answer`, 20_000, () => wire.request(z.id, Op.PING, {}, 300).then(() => true, () => undefined));
    return world;
  }

  zoneAt(x: number, y: number): string {
    const z = this.realm.zones.find((z) => x >= z.region[0] && x < z.region[2] && y >= z.region[1] && y < z.region[3]);
    if (!z) throw new Error(`no zone at ${x},${y}`);
    return z.id;
  }

  player(entity: number, x: number, y: number, speed = 7): PlayerState {
    return { entity, characterId: `c${entity}`, accountId: `a${entity}`, clientNode: CLIENT, name: `P${entity}`, x, y, heading: 0, level: 1, hp: 100, maxHp: 100, speed, version: 0, seq: -1, seqMask: 0, moveSeq: -1 };
  }

  /** Enters a player in the zone owning its position; returns the world (zone or layer) it went to. */
  async enter(p: PlayerState, friend?: number): Promise<string> {
    const zone = this.zoneAt(p.x, p.y);
    const body = await this.realmWire.request(zone, Op.ZONE_ENTER, friend === undefined ? { player: p } : { player: p, with: friend }, 2000);
    if (!body.ok) throw new Error(`${zone} refused ${p.entity}`);
    return body.zone;
  }

  /** Sends an intent to the node running `world` (a zone, one of its layers). */
  intent(world: string, i: Without<Intent, "seq">): number {
    const seq = (this.seq.get(i.entity) ?? -1) + 1;
    this.seq.set(i.entity, seq);
    this.wire.send(nodeOfWorld(world), Op.ZONE_INTENTS, { intents: [{ ...i, seq }] });
    return seq;
  }

  truth(zone: string): Promise<Reply<typeof Op.ZONE_TRUTH_REQUEST>> {
    return this.wire.request(nodeOfWorld(zone), Op.ZONE_TRUTH_REQUEST, {}, 2000);
  }

  /** Subscribes to one cell of a world (a zone or one of its layers) on its zone's PUB. */
  async subscribe(world: string, cx: number, cy: number): Promise<void> {
    if (!this.feed) {
      this.feed = new ZoneFeed(this.realm.zones, meshIdentity(this.config, `test-${process.pid}`), 1000);
      this.feed.start((_zone, topic, block) => this.readCell(topic, block));
    }
    this.feed.subscribe(nodeOfWorld(world), cellTopic(world, cx, cy));
  }

  /** The first event of this kind that `pred` accepts, once it has come. */
  waitEvent<K extends ZoneEvent["kind"]>(what: string, kind: K, pred: (e: ZoneEventOf<K>) => boolean, ms = 5000): Promise<ZoneEventOf<K>> {
    const ofKind = (e: ZoneEvent): e is ZoneEventOf<K> => e.kind === kind;
    return until(what, ms, () => this.events.filter(ofKind).find(pred));
  }

  async stop(): Promise<void> {
    await this.feed?.close();
    await this.wire.close();
    await this.realmWire.close();
    await stopChildren(this.children);
  }

  private readCell(topic: Buffer, block: Buffer): void {
    const worldLength = parseTopic(topic, newTopicAddress());
    if (worldLength < 0) return;
    const world = topic.toString("latin1", 0, worldLength);
    const r = newRecord();
    const tick = blockTick(block);
    this.blocks++;
    for (let i = 0, count = recordCount(block); i < count; i++) {
      readRecord(block, i, r);
      this.seen.set(r.id, { ...r, zone: world, tick });
    }
  }
}
