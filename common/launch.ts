// Starting node processes: locally as a detached child (it outlives a reviver that dies, so
// the other reviver can adopt it), or through the node's own `restart:` command.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, statSync, readSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyNodeSpec, NodeKind } from "./topology.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TSX = import.meta.resolve("tsx");

const FOLDER: Record<NodeKind, string> = {
  reviver: "reviver",
  login: "login",
  realm: "realm",
  client: "client",
  zone: "zone",
  instance: "zone",
  database: "database",
  backup: "backup",
};

export interface LaunchContext {
  configFile: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /**
   * The node stops once this process is gone: for tests and benchmarks, whose runner may kill them
   * with -9 (a timeout) before their teardown runs. A reviver's nodes must outlive it, so by default no.
   */
  stopWithLauncher?: boolean;
}

/** The pid whose death stops this process (stopWithParent); unset for a node that outlives its launcher. */
const LAUNCHER_PID = "REALM_STOP_WITH_PARENT";

/** `env` for a child that stops once this process is gone (stopWithParent), or that outlives it. */
export function launcherEnv(env: NodeJS.ProcessEnv, stopWithLauncher: boolean): NodeJS.ProcessEnv {
  const { [LAUNCHER_PID]: _inherited, ...rest } = env;
  return stopWithLauncher ? { ...rest, [LAUNCHER_PID]: String(process.pid) } : rest;
}

/**
 * Calls `stop` once the process that launched this one with launcherEnv(..., true) is no longer
 * its parent (it died, and this process was handed to init). Checked each second.
 */
export function stopWithParent(stop: () => void): void {
  const launcher = Number(process.env[LAUNCHER_PID]);
  if (!Number.isInteger(launcher) || launcher <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop();
  }, 1000);
  timer.unref();
}

export function logFileOf(dataDir: string, id: string): string {
  return path.join(dataDir, "logs", `${id}.log`);
}

/**
 * REALM_CPU_PROF=<dir>: every node writes a V8 CPU profile there when it exits (SIGTERM, not -9),
 * for `node --cpu-prof`'s view of where a node's time goes under a benchmark or a load.
 */
function profiling(env: NodeJS.ProcessEnv): string[] {
  const dir = env.REALM_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** The process that runs the node here: the one command line for the reviver's spawn and `realm node`. */
export function nodeProcess(spec: AnyNodeSpec, ctx: LaunchContext): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const main = path.join(ROOT, "nodes", FOLDER[spec.kind], "main.ts");
  return {
    file: process.execPath,
    args: [...profiling(ctx.env), "--import", TSX, main, "--config", ctx.configFile, "--node", spec.id, "--data", ctx.dataDir],
    env: { ...launcherEnv(ctx.env, ctx.stopWithLauncher === true), REALM_NODE_ID: spec.id, REALM_CONFIG: ctx.configFile, REALM_DATA: ctx.dataDir },
  };
}

/** Spawns the node; its output goes to its log file, never to a pipe that could break. */
export function launchNode(spec: AnyNodeSpec, ctx: LaunchContext): ChildProcess {
  const logFile = logFileOf(ctx.dataDir, spec.id);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = openSync(logFile, "a");
  const node = nodeProcess(spec, ctx);
  try {
    if (spec.restart !== undefined) {
      return spawn("/bin/sh", ["-c", spec.restart], { detached: true, stdio: ["ignore", out, out], env: node.env, cwd: ROOT });
    }
    return spawn(node.file, node.args, { detached: true, stdio: ["ignore", out, out], env: node.env, cwd: ROOT });
  } finally {
    closeSync(out);
  }
}

/** The node's last `fatal` log line, to say why it would not run. */
export function lastFatal(dataDir: string, id: string): string | undefined {
  const error = lastEvent(dataDir, id, "fatal")?.error;
  return typeof error === "string" ? error.split("\n")[0] : undefined;
}

/** The last log line of event `event` among the last 16 KiB of the node's log, parsed. */
export function lastEvent(dataDir: string, id: string, event: string): Record<string, unknown> | undefined {
  const file = logFileOf(dataDir, id);
  let text: string;
  try {
    const size = statSync(file).size;
    const len = Math.min(size, 16_384);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    text = buf.toString("utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n").reverse()) {
    if (!line.includes(`"${event}"`)) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === event) return parsed;
    } catch {
      // a torn line at the start of the window
    }
  }
  return undefined;
}

/** True while the process exists and is not a zombie waiting for a parent that is gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
