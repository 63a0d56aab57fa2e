// One node as a real process, without a reviver: its own config on free ports and its own temp
// folder, its log read back as JSON lines. Teardown kills it if a test left it running.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { isAlive, launchNode, logFileOf } from "../../common/launch.ts";
import { loadConfig } from "../../config/load.ts";
import { findNode, type AnyNodeSpec, type RealmsConfig } from "../../common/topology.ts";
import { tempDir, until } from "./realm.ts";
import { writeTestConfig } from "./test-config.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** One JSON log line of a node (common/log.ts). */
export interface LogLine {
  t: string;
  node: string;
  level: string;
  event: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class NodeProcess {
  /** Settles when the process exits, however it ends. */
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly config: RealmsConfig,
    readonly configFile: string,
    readonly spec: AnyNodeSpec,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /**
   * Writes a test config into a fresh temp dir and launches node `id` from it. `beforeLaunch`
   * runs once the config (and so every port) is known, before the process exists.
   */
  static async start(t: Teardown, id: string, opts: { beforeLaunch?: (config: RealmsConfig) => Promise<void> } = {}): Promise<NodeProcess> {
    const dir = tempDir(t, "node-test-");
    const configFile = await writeTestConfig(dir);
    const config = loadConfig(configFile);
    const spec = findNode(config, id);
    if (!spec) throw new Error(`${configFile} has no node ${id}`);
    await opts.beforeLaunch?.(config);
    const child = launchNode(spec, { configFile, dataDir: config.dataDir, env: process.env, stopWithLauncher: true });
    const node = new NodeProcess(config, configFile, spec, child);
    // registered after tempDir's, so it runs first (tap runs teardowns last in, first out)
    t.teardown(() => node.kill());
    return node;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get logFile(): string {
    return logFileOf(this.config.dataDir, this.spec.id);
  }

  /** True while the process runs (not exited, not a zombie). */
  alive(): boolean {
    return this.exit === undefined && isAlive(this.pid);
  }

  /** Every complete JSON line the node has logged so far; other output (a stack trace) is skipped. */
  lines(): LogLine[] {
    return readLogLines(this.logFile);
  }

  /** Waits until the log holds at least `count` lines matching `pred`, and returns them all. */
  waitForLines(what: string, deadlineMs: number, pred: (line: LogLine) => boolean, count = 1): Promise<LogLine[]> {
    return until(what, deadlineMs, () => {
      const found = this.lines().filter(pred);
      return found.length >= count ? found : undefined;
    });
  }

  /** Sends `signal` and waits for the exit, at most `deadlineMs`. */
  async signal(signal: NodeJS.Signals, deadlineMs: number): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.spec.id} did not exit within ${deadlineMs} ms of ${signal}`)), deadlineMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL unless it already exited; never throws, so later teardowns still run. */
  async kill(): Promise<void> {
    if (this.exit) return;
    try {
      await this.signal("SIGKILL", 10_000);
    } catch {
      // already gone between the check and the signal, or unkillable: nothing more to do here
    }
  }
}

/** The JSON event lines of a node's log file so far (none if it has no file yet). */
export function readLogLines(file: string): LogLine[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  // the last piece may be a line still being written: only lines ending in \n are whole
  for (const raw of text.split("\n").slice(0, -1)) {
    try {
      const line = JSON.parse(raw) as unknown;
      if (line !== null && typeof line === "object" && "event" in line) out.push(line as LogLine);
    } catch {
      // not one of ours (a stack trace)
    }
  }
  return out;
}
