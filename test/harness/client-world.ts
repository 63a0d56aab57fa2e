// Real zone and client node processes for one test, with the test playing the realm node
// (sessions, characters, ZONE_ENTER, until the realm node sends ZONE_ENTER itself) and
// recording every cell block the zones publish: the zones' truth, tick by tick, to hold the
// players' views against.
import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import type { ZoneFeed } from "../../common/zone-feed.ts";
import { blockTick, newRecord, Quantizer, readRecord, recordCount, type EntityRecord } from "../../common/cell-snapshot.ts";
import type { Frame } from "../../common/codec.ts";
import { launchNode, logFileOf } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body, Reply } from "../../common/protocol/index.ts";
import type { PlayerState } from "../../common/protocol/zone.ts";
import { realmWire, watchZones } from "../../common/mesh/realm-mesh.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { zoneAt as zoneOwning } from "../../nodes/realm/characters.ts";
import { findNode, type ClientNodeSpec, type RealmSpec, type RealmsConfig } from "../../common/topology.ts";
import { PlayerBot } from "./player-bot.ts";
import { tempDir, until } from "./realm.ts";
import { entrancesAtCentres, writeTestConfig } from "./test-config.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

interface WorldOptions {
  clientNodes?: number;
  npcs?: number;
  budget?: number;
  /** World side (square), split in two zones down the middle. */
  size?: number;
  /** 1: one zone over the whole world, the smallest realm there is (default 2). */
  zones?: 1 | 2;
  vision?: number;
  edit?: (doc: any) => void;
  /** false: no recorder of the zones' truth (a benchmark: a realm has no such subscriber). */
  record?: boolean;
}

interface Account {
  accountId: string;
  entity: number;
  x: number;
  y: number;
  name: string;
}

/** Per zone: tick -> entity id -> record, for the last ticks. */
type TruthTicks = Map<number, Map<number, EntityRecord>>;

export class ClientWorld {
  readonly children = new Map<string, ChildProcess>();
  readonly truth = new Map<string, TruthTicks>();
  readonly left: string[] = [];
  /** DUNGEON_ENTER requests the client nodes sent, and the test's answer to each (as the realm node). */
  readonly dungeonRequests: Body<typeof Op.DUNGEON_ENTER>[] = [];
  answerDungeon: (b: Body<typeof Op.DUNGEON_ENTER>) => Omit<Reply<typeof Op.DUNGEON_ENTER>, "corr"> = () => ({ ok: false, code: "unknown-entrance", error: "no such entrance" });
  private readonly sessions = new Map<string, Account>();
  private readonly accounts = new Map<string, Account>();
  private feed: ZoneFeed | undefined;
  private nextEntity = 1;

  private constructor(
    readonly file: string,
    readonly config: RealmsConfig,
    readonly realm: RealmSpec,
    readonly wire: Wire,
    readonly q: Quantizer,
  ) {}

  static async start(t: Teardown, opts: WorldOptions = {}): Promise<ClientWorld> {
    const dir = tempDir(t, "realm-client-");
    const size = opts.size ?? 1000;
    const file = await writeTestConfig(dir, {
      edit: (doc) => {
        const r = doc.realms[0];
        r.world = { width: size, height: size, cell: 50 };
        r.vision = opts.vision ?? 100;
        if (opts.budget !== undefined) r.client_budget_bytes = opts.budget;
        r.zones[0].region = [0, 0, size / 2, size];
        r.zones[1].region = [size / 2, 0, size, size];
        if (opts.zones === 1) r.zones = [{ ...r.zones[0], region: [0, 0, size, size] }];
        for (const z of r.zones) z.npcs = opts.npcs ?? 0;
        entrancesAtCentres(doc);
        doc.client_nodes = doc.client_nodes.slice(0, opts.clientNodes ?? 1);
        opts.edit?.(doc);
      },
    });
    const config = loadConfig(file);
    const realm = config.realms[0]!;
    let world: ClientWorld | undefined;
    const wire = realmWire(config, realm.realmNode.id, createLog("test-realm", "error"), (frame, from) => world?.answer(frame, from));
    world = new ClientWorld(file, config, realm, wire, new Quantizer(realm.world.width, realm.world.height));
    t.teardown(() => world!.stop());
    await wire.bind(realm.realmNode.inbox);
    if (opts.record !== false) world.record();
    for (const z of realm.zones) world.launch(z.id);
    for (const z of realm.zones) await until(`${z.id} to answer`, 20_000, () => wire.request(z.id, Op.PING, {}, 300).then(() => true, () => undefined));
    for (const c of config.clientNodes) world.launch(c.id);
    for (const c of config.clientNodes) await world.ready(c.id);
    return world;
  }

  launch(id: string): void {
    const spec = findNode(this.config, id)!;
    this.children.set(id, launchNode(spec, { configFile: this.file, dataDir: this.config.dataDir, env: process.env, stopWithLauncher: true }));
  }

  /** Waits until the node answers on its inbox and its WebSocket port accepts. */
  async ready(id: string): Promise<void> {
    await until(`${id} to answer`, 20_000, () => this.wire.request(id, Op.PING, {}, 300).then(() => true, () => undefined));
  }

  url(clientNode = this.config.clientNodes[0]!.id): string {
    const spec = findNode(this.config, clientNode) as ClientNodeSpec;
    return `ws://${spec.ws.host}:${spec.ws.port}/`;
  }

  /** An account with one character at (x, y); returns a fresh session handle for it. */
  account(x: number, y: number, name = `Hero${this.nextEntity}`): { session: string; accountId: string; characterId: string; entity: number } {
    const entity = this.nextEntity++;
    const a: Account = { accountId: `acct-${entity}`, entity, x, y, name };
    this.accounts.set(a.accountId, a);
    return { session: this.session(a.accountId), accountId: a.accountId, characterId: `char-${entity}`, entity };
  }

  session(accountId: string): string {
    const handle = `session-${accountId}-${Math.random().toString(36).slice(2)}`;
    this.sessions.set(handle, this.accounts.get(accountId)!);
    return handle;
  }

  /** A bot logged in and in the world at (x, y). */
  async player(x: number, y: number, clientNode?: string, label?: string): Promise<{ bot: PlayerBot; entity: number }> {
    const a = this.account(x, y);
    const bot = await PlayerBot.connect(this.url(clientNode), label ?? `P${a.entity}`);
    await bot.hello(a.session);
    await bot.select(a.characterId);
    return { bot, entity: a.entity };
  }

  /** The zone owning the point, as the realm node routes a character (y: any, the zones are columns). */
  zoneAt(x: number, y = 0): string {
    const zone = zoneOwning(this.realm, x, y);
    if (!zone) throw new Error(`no zone of ${this.realm.name} holds (${x}, ${y})`);
    return zone.id;
  }

  /** Plays the realm node: session checks, characters, and the ZONE_ENTER of a selected character. */
  private answer(frame: Frame, from: string): void {
    if (frame.op === Op.REALM_SESSION_CHECK) {
      const b = frame.body;
      const a = this.sessions.get(b.session);
      this.sessions.delete(b.session);
      this.wire.reply(from, Op.REALM_SESSION_CHECK_REPLY, a ? { corr: b.corr, ok: true, accountId: a.accountId, realm: this.realm.name } : { corr: b.corr, ok: false, code: "unknown" });
    } else if (frame.op === Op.CHAR_LIST) {
      const b = frame.body;
      const a = this.accounts.get(b.accountId);
      const characters = a ? [{ id: `char-${a.entity}`, accountId: a.accountId, name: a.name, level: 1, x: a.x, y: a.y }] : [];
      this.wire.reply(from, Op.CHAR_LIST_REPLY, { corr: b.corr, ok: true, characters });
    } else if (frame.op === Op.CHAR_SELECT) {
      const b = frame.body;
      const a = this.accounts.get(b.accountId);
      if (!a || b.characterId !== `char-${a.entity}`) return this.wire.reply(from, Op.CHAR_SELECT_REPLY, { corr: b.corr, ok: false, code: "not-found", error: "no such character" });
      const zone = this.zoneAt(a.x, a.y);
      const character = { id: b.characterId, accountId: a.accountId, name: a.name, level: 1, x: a.x, y: a.y };
      this.wire.reply(from, Op.CHAR_SELECT_REPLY, { corr: b.corr, ok: true, character, zone, entity: a.entity });
      const player: PlayerState = { entity: a.entity, characterId: b.characterId, accountId: a.accountId, clientNode: from, name: a.name, x: a.x, y: a.y, heading: 0, level: 1, hp: 100, maxHp: 100, speed: 7, version: 0, seq: -1, seqMask: 0, moveSeq: -1 };
      void this.wire.request(zone, Op.ZONE_ENTER, { player }, 2000).catch(() => undefined);
    } else if (frame.op === Op.DUNGEON_ENTER) {
      this.dungeonRequests.push(frame.body);
      this.wire.reply(from, Op.DUNGEON_ENTER_REPLY, { corr: frame.body.corr, ...this.answerDungeon(frame.body) });
    } else if (frame.op === Op.REALM_PLAYER_LEFT) {
      this.left.push(frame.body.accountId);
    }
  }

  /** Subscribes to every cell of every zone and keeps each tick's records. */
  private record(): void {
    for (const z of this.realm.zones) this.truth.set(z.id, new Map());
    const r = newRecord();
    this.feed = watchZones(this.config, this.realm.zones, `test-${process.pid}`);
    this.feed.start((zone, _topic, block) => {
      const ticks = this.truth.get(zone);
      const count = recordCount(block);
      if (!ticks || count < 0) return;
      const tick = blockTick(block);
      let at = ticks.get(tick);
      if (!at) {
        ticks.set(tick, (at = new Map()));
        ticks.delete(tick - 400);
      }
      for (let i = 0; i < count; i++) at.set(readRecord(block, i, r).id, { ...r });
    });
  }

  /** The zone's records at a tick (an empty map for a tick where none of its cells held anyone). */
  async truthAt(zone: string, tick: number, ms = 2000): Promise<Map<number, EntityRecord>> {
    const ticks = this.truth.get(zone)!;
    return until(`${zone} tick ${tick} recorded`, ms, () => ticks.get(tick) ?? (ticks.has(tick + 1) || ticks.has(tick + 2) ? new Map() : undefined));
  }

  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const c = this.children.get(id);
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill(signal);
    const hard = setTimeout(() => c.kill("SIGKILL"), 6000);
    await exited;
    clearTimeout(hard);
  }

  /** The node's JSON log lines (for a failing test's message). */
  logOf(id: string): string {
    try {
      return readFileSync(logFileOf(this.config.dataDir, id), "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    if (process.env.REALM_KEEP_LOGS) for (const id of this.children.keys()) writeFileSync(`${process.env.REALM_KEEP_LOGS}/${id}.log`, this.logOf(id));
    await this.feed?.close();
    await this.wire.close();
    await Promise.all([...this.children.keys()].map((id) => this.kill(id, "SIGTERM").catch(() => undefined)));
  }
}
