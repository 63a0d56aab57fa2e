// Starves a real process of CPU the way a loaded host does: its threads are put on CPU 0 under
// SCHED_IDLE, and spinners at nice -20 take that CPU. It stays runnable and barely runs.
// Needs root (nice -20) and util-linux's taskset and chrt.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import type { Teardown } from "./realm.ts";

const CPU = "0";

/**
 * With autogroups (Linux's default for desktops and many servers) each session is one scheduling
 * group and nice only ranks threads within it; a node is a session of its own (common/launch.ts).
 */
function niceSession(pid: number, nice: number): void {
  const file = `/proc/${pid}/autogroup`;
  if (existsSync(file)) writeFileSync(file, String(nice));
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error?.message}`);
}

/** Starves `pid` until the returned function is called (or the test ends). */
export function starve(t: Teardown, pid: number): () => void {
  run("taskset", ["-a", "-p", "-c", CPU, String(pid)]);
  run("chrt", ["-a", "-i", "-p", "0", String(pid)]);
  niceSession(pid, 19);
  const spinners: ChildProcess[] = [0, 1].map(() => {
    const spinner = spawn("taskset", ["-c", CPU, "nice", "-n", "-20", process.execPath, "-e", "for(;;);"], { stdio: "ignore", detached: true });
    niceSession(spinner.pid!, -20);
    return spinner;
  });
  const stop = (): void => {
    for (const s of spinners) s.kill("SIGKILL");
  };
  t.teardown(stop);
  return stop;
}
