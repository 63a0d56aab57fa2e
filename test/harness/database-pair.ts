// A realm's database and backup nodes as real processes, without the rest of the realm: one
// test config on free ports, a temp data folder, embedded PostgreSQL when asked for, and a
// DatabaseClient on a wire of its own. The test starts, kills (-9) and restarts the nodes itself.
// Teardown kills whatever still runs and stops PostgreSQL, even when the test failed.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { DatabaseClient } from "../../common/db-client.ts";
import { isAlive, launchNode, logFileOf } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { allNodes, findNode, type RealmSpec, type RealmsConfig } from "../../common/topology.ts";
import { startEmbeddedPostgres, type RunningPostgres } from "../../ops/embedded-postgres.ts";
import { portsOf } from "../../ops/free-ports.ts";
import { tempDir, until } from "./realm.ts";
import { readLogLines, type LogLine } from "./node-process.ts";
import { writeTestConfig } from "./test-config.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}


interface PairOptions {
  /** Embedded PostgreSQL for the audit and the backup schedule (adds a few seconds). */
  postgres?: boolean;
  /** Changes to the realms.yaml document before it is written (e.g. backup.every). */
  edit?: (doc: any) => void;
}

export class DatabasePair {
  readonly children = new Map<string, ChildProcess>();
  private readonly allPids = new Set<number>();

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly config: RealmsConfig,
    readonly realm: RealmSpec,
    readonly postgres: RunningPostgres | undefined,
    readonly wire: Wire,
    readonly client: DatabaseClient,
  ) {}

  static async start(t: Teardown, opts: PairOptions = {}): Promise<DatabasePair> {
    const dir = tempDir(t, "db-test-");
    const configFile = await writeTestConfig(dir, opts.edit ? { edit: opts.edit } : {});
    const config = loadConfig(configFile);
    const realm = config.realms[0]!;
    const postgres = opts.postgres ? await startEmbeddedPostgres(config.dataDir, createLog("test-postgres", "error"), { avoid: portsOf(allNodes(config)) }) : undefined;
    const self = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const wire = realmWire(config, self, createLog(self, "error"));
    const client = new DatabaseClient(wire, realm.database.id, { timeoutMs: 1500, retries: 1 });
    const pair = new DatabasePair(dir, configFile, config, realm, postgres, wire, client);
    // registered after tempDir's, so it runs first (tap runs teardowns last in, first out)
    t.teardown(() => pair.close());
    return pair;
  }

  /** A pair with both nodes launched and the database serving. */
  static async serving(t: Teardown, opts: PairOptions = {}): Promise<DatabasePair> {
    const pair = await DatabasePair.start(t, opts);
    pair.launch(pair.dbId);
    pair.launch(pair.backupId);
    await pair.waitServing(30_000);
    return pair;
  }

  get dbId(): string {
    return this.realm.database.id;
  }

  get backupId(): string {
    return this.realm.backup.id;
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  dataOf(id: string): string {
    return path.join(this.dataDir, id);
  }

  env(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    return this.postgres ? { ...env, DATABASE_URL: this.postgres.url } : env;
  }

  /** Launches a node (database or backup) as its own detached process. */
  launch(id: string): ChildProcess {
    const spec = findNode(this.config, id);
    if (!spec) throw new Error(`no node ${id}`);
    const child = launchNode(spec, { configFile: this.configFile, dataDir: this.dataDir, env: this.env(), stopWithLauncher: true });
    if (child.pid !== undefined) this.allPids.add(child.pid);
    this.children.set(id, child);
    return child;
  }

  alive(id: string): boolean {
    const child = this.children.get(id);
    return child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined && isAlive(child.pid);
  }

  /** SIGKILL (or another signal) and wait for the exit. */
  async stop(id: string, signal: NodeJS.Signals = "SIGKILL", deadlineMs = 10_000): Promise<void> {
    const child = this.children.get(id);
    if (!child || !this.alive(id)) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await Promise.race([exited, until(`${id} to exit after ${signal}`, deadlineMs, () => (this.alive(id) ? undefined : true))]);
  }

  /** Waits until the database node serves (recovery done). */
  waitServing(deadlineMs: number): Promise<void> {
    return until("the database node to serve", deadlineMs, async () => {
      const s = await this.client.stats().catch(() => undefined);
      return s?.state === "serving" ? true : undefined;
    }).then(() => undefined);
  }

  /** Waits until the replica has applied everything the database committed. */
  waitReplicaCaughtUp(deadlineMs: number): Promise<number> {
    return until("the replica to catch up", deadlineMs, async () => {
      const s = await this.client.stats().catch(() => undefined);
      return s && s.state === "serving" && s.replicaSeq === s.seq && s.journal === 0 ? s.seq : undefined;
    });
  }

  lines(id: string): LogLine[] {
    return readLogLines(logFileOf(this.dataDir, id));
  }

  waitForLine(id: string, what: string, deadlineMs: number, pred: (l: LogLine) => boolean): Promise<LogLine> {
    return until(what, deadlineMs, () => this.lines(id).find(pred));
  }

  async close(): Promise<void> {
    await this.wire.close();
    for (const pid of this.allPids) {
      if (isAlive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone between the check and the kill
        }
      }
    }
    await until("the nodes to exit", 10_000, () => ([...this.allPids].some(isAlive) ? undefined : true)).catch(() => undefined);
    await this.postgres?.stop().catch(() => undefined);
  }
}
