// Why a local node stopped heartbeating, from what the kernel says of its main thread (the one
// that sends heartbeats). A stopped or blocked thread, or one spinning in a loop that never lets the
// event loop turn, is hung: restart it. A thread that wants to run and barely gets a CPU is
// starved by a loaded host: killing it throws away a working node and adds a restart's work to
// the load (the 2,000-bot run collapsed that way), so it gets longer.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Below this share of a CPU over the silence, a runnable main thread is starved, not spinning. */
const STARVED_RUN_SHARE = 0.25;
/** A share measured over less than this says little (the kernel adds run time at its ticks). */
const MIN_WINDOW_MS = 400;

export type SilenceVerdict = "hung" | "starved" | "undecided";

export interface ThreadSample {
  at: number;
  /** The scheduler state letter: R runnable, S sleeping, D blocked, T stopped, Z zombie. */
  state: string;
  /** CPU time the thread has run, from /proc/<pid>/schedstat. */
  runMs: number;
}

/** The main thread of `pid` now, or undefined where /proc cannot say (gone, or not Linux). */
export function sampleMainThread(pid: number, at = Date.now()): ThreadSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // the command name is in parentheses and may hold spaces or parentheses itself
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    const runNs = Number(readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ")[0]);
    if (state === "" || !Number.isFinite(runNs)) return undefined;
    return { at, state, runMs: runNs / 1e6 };
  } catch {
    return undefined;
  }
}

/**
 * More tasks runnable than the host has CPUs: a thread that sleeps between short runs may have sent
 * its heartbeat into an I/O thread (ZeroMQ's) that is itself waiting for a CPU. `loadavg` is the
 * text of /proc/loadavg, whose fourth field is runnable/total tasks now.
 */
export function overloadedBy(loadavg: string, cpus: number): boolean {
  const running = Number(loadavg.split(" ")[3]?.split("/")[0]);
  // the reviver reading it is one of them
  return running - 1 > cpus;
}

export function hostOverloaded(): boolean {
  try {
    return overloadedBy(readFileSync("/proc/loadavg", "latin1"), availableParallelism());
  } catch {
    return false;
  }
}

/**
 * Judges one silence: the first sample taken once the heartbeats were overdue, then the latest.
 * Stopped, or asleep without running since: hung. Runnable: starved below a quarter of a CPU,
 * spinning above. Asleep after running: hung on a quiet host (a deadlock in its I/O, a lost
 * link), starved on an overloaded one (its event loop turns; its heartbeat waits elsewhere).
 */
export function judgeSilence(first: ThreadSample, now: ThreadSample, overloaded = false): { verdict: SilenceVerdict; runShare?: number } {
  const ran = now.runMs - first.runMs;
  const asleepAfterRunning = (now.state === "S" || now.state === "D") && ran > 0;
  if (now.state !== "R" && !(asleepAfterRunning && overloaded)) return { verdict: "hung" };
  const windowMs = now.at - first.at;
  if (windowMs < MIN_WINDOW_MS) return { verdict: "undecided" };
  const runShare = ran / windowMs;
  return { verdict: asleepAfterRunning || runShare < STARVED_RUN_SHARE ? "starved" : "hung", runShare };
}

/** One node's current silence: its first sample, and whether it was already found starved. */
export class Silence {
  private first: ThreadSample | undefined;
  starvedSince: number | undefined;

  /** Heartbeats are overdue: keep the first sample of this silence. */
  overdue(pid: number, now: number): void {
    this.first ??= sampleMainThread(pid, now);
  }

  judge(pid: number, now: number): { verdict: SilenceVerdict; runShare?: number } {
    const latest = sampleMainThread(pid, now);
    if (this.first === undefined || latest === undefined) return { verdict: "hung" };
    const judged = judgeSilence(this.first, latest, hostOverloaded());
    // judge the last seconds, not the whole silence: a node starved, then stopped, is hung
    if (judged.verdict !== "undecided" && now - this.first.at >= 2000) this.first = latest;
    return judged;
  }

  /** A heartbeat: the silence is over. */
  end(): void {
    this.first = undefined;
    this.starvedSince = undefined;
  }
}
