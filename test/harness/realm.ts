// A whole realm for one test: `realm start` as a real process on free ports with its own data
// folder, embedded PostgreSQL included. Teardown stops it, kills anything left, removes the folder.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isAlive } from "../../common/launch.ts";
import type { NodeStatus, StatusReply } from "../../common/protocol/reviver.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import type { RealmsConfig } from "../../config/model.ts";
import { opsWire, queryStatus } from "../../ops/status.ts";
import { writeTestConfig } from "./test-config.ts";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = path.join(REPO, "ops", "realm.mjs");

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** A temp folder that the postgres user can reach (embedded PostgreSQL runs as it). */
export function tempDir(t: Teardown, prefix = "realm-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI to completion: for the commands that return (status, check-config, stop). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class TestRealm {
  /** Every pid ever seen, so teardown can prove (and force) that nothing is left. */
  readonly pids = new Set<number>();
  output = "";

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly config: RealmsConfig,
    readonly process: ChildProcess,
    readonly wire: Wire,
    readonly startedAt: number,
  ) {}

  static async start(t: Teardown, opts: { edit?: (doc: any) => void } = {}): Promise<TestRealm> {
    const dir = tempDir(t);
    const configFile = await writeTestConfig(dir, opts);
    const config = loadConfig(configFile);
    const startedAt = Date.now();
    const child = spawn(process.execPath, [CLI, "start", "--config", configFile], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    const realm = new TestRealm(dir, configFile, config, child, opsWire(config), startedAt);
    child.stdout?.on("data", (d: Buffer) => (realm.output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (realm.output += d.toString()));
    t.teardown(async () => {
      await realm.stop();
    });
    return realm;
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  async status(timeoutMs = 1000): Promise<StatusReply | undefined> {
    const reply = await queryStatus(this.config, this.wire, timeoutMs);
    for (const n of reply?.nodes ?? []) if (n.pid !== undefined) this.pids.add(n.pid);
    return reply;
  }

  async node(id: string): Promise<NodeStatus | undefined> {
    return (await this.status())?.nodes.find((n) => n.id === id);
  }

  /** Waits until `pred` holds for the leader's view of the realm. */
  waitFor(what: string, deadlineMs: number, pred: (nodes: NodeStatus[], reply: StatusReply) => boolean): Promise<StatusReply> {
    return until(what, deadlineMs, async () => {
      const reply = await this.status(500);
      return reply && reply.leader && pred(reply.nodes, reply) ? reply : undefined;
    });
  }

  waitAllUp(deadlineMs: number): Promise<StatusReply> {
    return this.waitFor("every node up", deadlineMs, (nodes) => nodes.length > 0 && nodes.every((n) => n.state === "up"));
  }

  private postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops `realm start` as an operator would (SIGTERM), then makes sure nothing is left. */
  async stop(): Promise<{ leftovers: number[] }> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      await this.status(300).catch(() => undefined);
      const exited = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 40_000)))]);
      clearTimeout(timer);
    }
    await this.wire.close();
    const postmaster = this.postmasterPid();
    if (postmaster !== undefined) this.pids.add(postmaster);
    const leftovers = [...this.pids].filter(isAlive);
    for (const pid of leftovers) process.kill(pid, "SIGKILL");
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
    return { leftovers };
  }
}
