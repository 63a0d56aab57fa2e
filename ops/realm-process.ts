// `realm start` as a child process, for whoever drives a whole realm from outside: the chaos
// suite, the test harness. It watches the realm through the revivers' status and stops it as an
// operator would (SIGTERM), then makes sure no process of it is left, PostgreSQL included.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isAlive, launcherEnv } from "../common/launch.ts";
import type { NodeStatus, StatusReply } from "../common/protocol/reviver.ts";
import type { Wire } from "../common/wire.ts";
import { loadConfig } from "../config/load.ts";
import type { RealmsConfig } from "../common/topology.ts";
import { opsWire, queryStatus } from "./status.ts";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const CLI = path.join(REPO, "ops", "realm.mjs");
const STOP_DEADLINE_MS = 40_000;
/** Lines of `realm start`'s output a timeout quotes. */
const LAST_LINES = 8;

/** Polls `probe` every 50 ms until it gives a value; throws once `deadlineMs` has passed. */
export async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class RealmProcess {
  /** Every pid ever seen, so stop() can prove (and force) that nothing is left. */
  readonly pids = new Set<number>();
  output = "";

  protected constructor(
    readonly configFile: string,
    readonly config: RealmsConfig,
    readonly process: ChildProcess,
    readonly wire: Wire,
    readonly startedAt: number,
  ) {
    process.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    process.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
  }

  /** Runs `realm start --config <configFile>`; `env` adds to this process's environment. */
  static spawnRealm(configFile: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; config: RealmsConfig; wire: Wire; startedAt: number } {
    const config = loadConfig(configFile);
    const startedAt = Date.now();
    const child = spawn(process.execPath, [CLI, "start", "--config", configFile], { cwd: REPO, env: launcherEnv({ ...process.env, ...env }, true), stdio: ["ignore", "pipe", "pipe"] });
    return { child, config, wire: opsWire(config), startedAt };
  }

  static launch(configFile: string, env: NodeJS.ProcessEnv = {}): RealmProcess {
    const { child, config, wire, startedAt } = RealmProcess.spawnRealm(configFile, env);
    return new RealmProcess(configFile, config, child, wire, startedAt);
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
    let last: StatusReply | undefined;
    return until(what, deadlineMs, async () => {
      const reply = await this.status(500);
      last = reply ?? last;
      return reply && reply.leader && pred(reply.nodes, reply) ? reply : undefined;
    }).catch((err: Error) => {
      // the nodes that were not up when time ran out, and why, say more than the timeout alone
      const notUp = last?.nodes.filter((n) => n.state !== "up").map((n) => `${n.id} ${n.state}${n.reason ? ` (${n.reason})` : ""}, ${n.restarts} restarts`);
      err.message += last === undefined ? `; no reviver answered; ${this.lastWords()}` : `; last seen not up: ${notUp?.join("; ") || "none"}`;
      throw err;
    });
  }

  /** Whether `realm start` still runs, and its last lines: where it got to when no reviver answers (PostgreSQL's start, the revivers' launch). */
  private lastWords(): string {
    const { exitCode, signalCode } = this.process;
    const state = exitCode === null && signalCode === null ? "realm start still runs" : `realm start exited (${exitCode ?? signalCode})`;
    const tail = this.output.trim().split("\n").slice(-LAST_LINES).join("\n");
    return `${state}; its last lines:\n${tail || "(none)"}`;
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
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, STOP_DEADLINE_MS)))]);
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
