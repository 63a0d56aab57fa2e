// A realm's server side for dungeon tests, as real processes: its database, realm node (with
// parties read from a file the test writes, test/fixtures/party-realm.ts), zones and the instance
// pool. The test plays the login node (grants sessions) and client node CLIENT-1 (binds its
// inbox: attaches players, selects characters, sends intents, hears zone events and dungeon
// statuses).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Frame } from "../../common/codec.ts";
import { DatabaseClient } from "../../common/db-client.ts";
import { launchNode, logFileOf, nodeProcess } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body, Reply } from "../../common/protocol/index.ts";
import type { Intent, ZoneEvent, ZoneEventOf } from "../../common/protocol/zone.ts";
import type { Without } from "../../common/schema.ts";
import { findNode, type AnyNodeSpec, type RealmSpec, type RealmsConfig } from "../../common/topology.ts";
import { nodeOfWorld } from "../../common/world-address.ts";
import type { Wire } from "../../common/wire.ts";
import { readLogLines, type LogLine } from "./node-process.ts";
import { until } from "./realm.ts";
import { CLIENT, stopChildren, zoneTestConfig } from "./zone-world.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

const PARTY_REALM = fileURLToPath(new URL("../fixtures/party-realm.ts", import.meta.url));

export interface Player {
  accountId: string;
  characterId: string;
  entity: number;
  zone: string;
}

/** A zone event with the world that sent it. */
export type HeardEvent = ZoneEvent & { world: string };

export class DungeonWorld {
  readonly events: HeardEvent[] = [];
  readonly statuses: Body<typeof Op.DUNGEON_STATUS>[] = [];
  readonly children = new Map<string, ChildProcess>();
  readonly db: DatabaseClient;
  private readonly seq = new Map<number, number>();
  private loadTimer: NodeJS.Timeout | undefined;
  private named = 0;

  private constructor(
    readonly dir: string,
    readonly file: string,
    readonly config: RealmsConfig,
    readonly realm: RealmSpec,
    /** CLIENT-1, bound: the players' client node. */
    readonly client: Wire,
    readonly login: Wire,
    readonly tool: Wire,
    readonly partiesFile: string,
  ) {
    this.db = new DatabaseClient(tool, realm.database.id);
  }

  static async start(t: Teardown, opts: { closeAfter?: string; edit?: (doc: any) => void } = {}): Promise<DungeonWorld> {
    const { file, config, realm } = await zoneTestConfig(t, "realm-dungeon-", {
      edit: (doc) => {
        doc.instances.close_after = opts.closeAfter ?? "2s";
        opts.edit?.(doc);
      },
    });
    const dir = path.dirname(file);
    const log = createLog("test-dungeon", "error");
    let world: DungeonWorld | undefined;
    const client = realmWire(config, CLIENT, log, (f: Frame) => {
      if (f.op === Op.ZONE_EVENTS) world?.events.push(...f.body.events.map((e) => ({ ...e, world: f.body.zone })));
      if (f.op === Op.DUNGEON_STATUS) world?.statuses.push(f.body);
    });
    const login = realmWire(config, config.login.nodes[0]!.id, log);
    const tool = realmWire(config, `test-${process.pid}`, log);
    const partiesFile = path.join(dir, "parties.json");
    writeFileSync(partiesFile, "[]");
    world = new DungeonWorld(dir, file, config, realm, client, login, tool, partiesFile);
    t.teardown(() => world!.stop());
    await client.bind(findNode(config, CLIENT)!.inbox);
    world.launch(realm.database);
    for (const z of realm.zones) world.launch(z);
    for (const i of config.instances.pool) world.launch(i);
    world.launch(realm.realmNode);
    // the realm node places players only on client nodes whose load it hears
    const started = Date.now();
    world.loadTimer = setInterval(() => client.send(realm.realmNode.id, Op.CLIENT_LOAD, { node: CLIENT, players: 0, started }), 300);
    for (const n of [realm.database, ...realm.zones, ...config.instances.pool, realm.realmNode]) {
      await until(`${n.id} to answer`, 60_000, () => tool.request(n.id, Op.PING, {}, 500).then(() => true, () => undefined));
    }
    await until("the database node to serve", 60_000, async () => ((await world!.db.stats().catch(() => undefined))?.state === "serving" ? true : undefined));
    await until("the realm node's directory", 60_000, () => world!.logOf(realm.realmNode.id, (l) => l.event === "directory-rebuilt")[0]);
    return world;
  }

  /** Starts a node; the realm node from the party fixture, reading the test's parties file. */
  launch(spec: AnyNodeSpec): ChildProcess {
    const ctx = { configFile: this.file, dataDir: this.config.dataDir, env: { ...process.env, DUNGEON_PARTIES_FILE: this.partiesFile }, stopWithLauncher: true };
    let child: ChildProcess;
    if (spec.kind === "realm") {
      const node = nodeProcess(spec, ctx);
      const args = node.args.map((a) => (a.endsWith(path.join("nodes", "realm", "main.ts")) ? PARTY_REALM : a));
      const logFile = logFileOf(this.config.dataDir, spec.id);
      mkdirSync(path.dirname(logFile), { recursive: true });
      const out = openSync(logFile, "a");
      child = spawn(node.file, args, { detached: true, stdio: ["ignore", out, out], env: node.env });
      closeSync(out);
    } else {
      child = launchNode(spec, ctx);
    }
    this.children.set(spec.id, child);
    return child;
  }

  logOf(node: string, pred: (l: LogLine) => boolean): LogLine[] {
    return readLogLines(logFileOf(this.config.dataDir, node)).filter(pred);
  }

  /** Parties as the social layer would have them: character ids, the leader first. */
  setParties(parties: string[][]): void {
    writeFileSync(this.partiesFile, JSON.stringify(parties));
  }

  /** Logs a player in through CLIENT-1 and puts a new character in the world (zones' centres in turn); `lobby`: stops before selecting it. */
  async player(opts: { lobby?: boolean } = {}): Promise<Player> {
    const n = ++this.named;
    const accountId = `acct-${n}-${randomUUID().slice(0, 8)}`;
    const handle = randomUUID();
    const sessionHash = createHash("sha256").update(handle, "utf8").digest("hex");
    const realmNode = this.realm.realmNode.id;
    const grant = await this.login.request(realmNode, Op.SESSION_GRANT, { accountId, accountName: `acct${n}`, sessionHash, expiresAt: Date.now() + 60_000, keepFree: 0 }, 5000);
    if (!grant.ok) throw new Error(`no session: ${grant.code}`);
    const check = await this.client.request(realmNode, Op.REALM_SESSION_CHECK, { session: handle }, 5000);
    if (!check.ok) throw new Error(`session check: ${check.code}`);
    const name = `Hero${String.fromCharCode(97 + (n % 26))}${String.fromCharCode(97 + Math.floor(n / 26))}`;
    const created = await this.client.request(realmNode, Op.CHAR_CREATE, { accountId, name }, 5000);
    if (!created.ok || !created.character) throw new Error(`create: ${created.error}`);
    if (opts.lobby) return { accountId, characterId: created.character.id, entity: 0, zone: "" };
    const selected = await this.client.request(realmNode, Op.CHAR_SELECT, { accountId, characterId: created.character.id }, 5000);
    if (!selected.ok || selected.entity === undefined || selected.zone === undefined) throw new Error(`select: ${selected.error}`);
    return { accountId, characterId: created.character.id, entity: selected.entity, zone: selected.zone };
  }

  /** DUNGEON_ENTER as CLIENT-1 (or `as` another client node id) sends it. */
  enter(accountId: string, entrance: string, as: Wire = this.client): Promise<Reply<typeof Op.DUNGEON_ENTER>> {
    return as.request(this.realm.realmNode.id, Op.DUNGEON_ENTER, { accountId, entrance }, 15_000);
  }

  /** Sends an intent as CLIENT-1 to the node running `world`. */
  intent(world: string, i: Without<Intent, "seq">): void {
    const seq = (this.seq.get(i.entity) ?? -1) + 1;
    this.seq.set(i.entity, seq);
    this.client.send(nodeOfWorld(world), Op.ZONE_INTENTS, { intents: [{ ...i, seq }] });
  }

  truth(node: string): Promise<Reply<typeof Op.ZONE_TRUTH_REQUEST>> {
    return this.tool.request(node, Op.ZONE_TRUTH_REQUEST, {}, 3000);
  }

  /** Where the entity is in the node's truth, if it holds it. */
  async positionIn(node: string, entity: number): Promise<{ x: number; y: number } | undefined> {
    const truth = await this.truth(node).catch(() => undefined);
    return truth?.entities.find((e) => e.entity === entity);
  }

  waitEvent<K extends ZoneEvent["kind"]>(what: string, kind: K, pred: (e: ZoneEventOf<K> & { world: string }) => boolean, ms = 15_000): Promise<ZoneEventOf<K> & { world: string }> {
    const ofKind = (e: HeardEvent): e is ZoneEventOf<K> & { world: string } => e.kind === kind;
    return until(what, ms, () => this.events.filter(ofKind).find(pred));
  }

  waitStatus(what: string, pred: (s: Body<typeof Op.DUNGEON_STATUS>) => boolean, ms = 30_000): Promise<Body<typeof Op.DUNGEON_STATUS>> {
    return until(what, ms, () => this.statuses.find(pred));
  }

  async stop(): Promise<void> {
    clearInterval(this.loadTimer);
    await Promise.all([this.client.close(), this.login.close(), this.tool.close()]);
    await stopChildren(this.children.values());
  }
}
