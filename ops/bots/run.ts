// The parent of a bots run: forks the worker processes (the tsx loader, as every node runs),
// deals the bots out, says how the ramp goes, opens the measured window once every bot is in the
// world (or the ramp's time is up), closes it after --duration, and collects what every worker
// counted. Bounded: a worker that overstays the stop by 15 s is killed; Ctrl-C stops early (a
// second one at once); workers exit by themselves when this process dies.
import { fork, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../common/launch.ts";
import { emptyProgress, type FromWorker, type Progress, type ToWorker, type WorkerResult, type WorkerSpec } from "./ipc.ts";
import type { BotsOptions } from "./options.ts";

const TSX = import.meta.resolve("tsx");
const WORKER_MAIN = fileURLToPath(new URL("./worker-main.ts", import.meta.url));
/** How long workers get, after the stop, to have their bots leave and report. */
const OVERSTAY_MS = 15_000;
/** The ramp may take half again its planned time, plus this, before the window opens anyway. */
const RAMP_SLACK_MS = 60_000;
/** Behaviors with a spot get this much more for the walk there (1,000 units at 5 units/s is 200 s). */
const PLACE_SLACK_MS = 240_000;
const POLL_MS = 250;
const RAMP_REPORT_MS = 1000;
const RUN_REPORT_MS = 5000;

interface RunPlan {
  opts: BotsOptions;
  configFile: string;
  realm: string;
  password: string;
  dataDir: string;
  /** The bots (bot_<n>) this run drives, when not 0..players-1: runs side by side take disjoint sets. */
  numbers?: number[];
  /** Called once, when the measured window opens (every bot in the world and at its spot, or the ramp's time up). */
  onMeasure?: () => void;
  /** Called once, when the measured window closes (before the bots leave). */
  onWindowEnd?: () => void;
  /** Closes the measured window before --duration when it says so (a driver that knows when it is done). */
  endWhen?: () => boolean;
}

export interface RunOutcome {
  results: WorkerResult[];
  /** Workers that ended without a report (crashed, killed): their bots' last progress is all there is. */
  lost: Progress[];
  rampMs: number;
  interrupted: boolean;
  logFile: string;
}

class WorkerHandle {
  latest: Progress = emptyProgress();
  result: WorkerResult | undefined;
  exited = false;
  private channelClosed = false;

  constructor(readonly child: ChildProcess) {
    child.on("message", (m: FromWorker) => {
      if (m.type === "progress") this.latest = m.progress;
      else if (m.type === "final") this.result = m.result;
    });
    child.on("exit", () => (this.exited = true));
    child.on("disconnect", () => (this.channelClosed = true));
    // a worker gone before a send reaches it: its exit says the rest
    child.on("error", () => {});
  }

  /** Exited, and every message it sent has been read (they come before the channel's close). */
  get over(): boolean {
    return this.exited && this.channelClosed;
  }

  tell(m: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }
}

function sum(ps: Progress[]): Progress {
  const total = emptyProgress();
  for (const p of ps) for (const k of Object.keys(total) as (keyof Progress)[]) total[k] += p[k];
  return total;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runBots(plan: RunPlan, say: (line: string) => void): Promise<RunOutcome> {
  const { opts } = plan;
  const numbers = plan.numbers ?? Array.from({ length: opts.players }, (_, n) => n);
  const players = numbers.length;
  const logFile = path.join(plan.dataDir, "logs", `bots-${new Date().toISOString().replace(/[:.]/g, "-")}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = openSync(logFile, "a");
  const workers: WorkerHandle[] = [];
  try {
    for (let w = 0; w < opts.workers; w++) {
      const bots = numbers.filter((_, i) => i % opts.workers === w);
      if (bots.length === 0) continue;
      const spec: WorkerSpec = {
        worker: w,
        configFile: plan.configFile,
        realm: plan.realm,
        behavior: opts.behavior,
        bots,
        password: plan.password,
        ramp: (opts.ramp * bots.length) / players,
        checkViews: w === 0,
      };
      const child = fork(WORKER_MAIN, [], { cwd: ROOT, execArgv: ["--import", TSX], stdio: ["ignore", out, out, "ipc"] });
      const handle = new WorkerHandle(child);
      workers.push(handle);
      handle.tell({ type: "start", spec });
    }
  } finally {
    closeSync(out);
  }

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    say(interrupts === 1 ? "interrupted: the bots leave the world (Ctrl-C again to kill them now)" : "killing the workers");
  };
  process.on("SIGINT", onInterrupt);
  const began = Date.now();
  const rampDeadline = began + (players / opts.ramp) * 1500 + RAMP_SLACK_MS;
  let rampMs = 0;
  let endAt = Infinity;
  let reportedAt = 0;
  try {
    for (;;) {
      await sleep(POLL_MS);
      const now = Date.now();
      const p = sum(workers.map((w) => w.latest));
      const live = workers.filter((w) => !w.exited);
      if (interrupts > 0 || live.length === 0) break;
      if (endAt === Infinity) {
        // a behavior with a spot is measured there: the walk in is part of the ramp
        const ready = p.inWorld + p.failed >= players && p.placed + p.failed >= p.placing;
        if (ready || now >= rampDeadline + (p.placing > 0 ? PLACE_SLACK_MS : 0)) {
          rampMs = now - began;
          endAt = now + opts.durationS * 1000;
          for (const w of live) w.tell({ type: "measure" });
          plan.onMeasure?.();
          say(`ramp done in ${(rampMs / 1000).toFixed(1)} s: ${p.inWorld} of ${players} in the world, ${p.failed} failed; measuring for ${opts.durationS} s`);
        } else if (now - reportedAt >= RAMP_REPORT_MS) {
          reportedAt = now;
          say(`ramp ${((now - began) / 1000).toFixed(0)} s: logged in ${p.loggedIn}/${players}, in world ${p.inWorld}, failed ${p.failed}`);
        }
      } else if (now >= endAt || plan.endWhen?.()) {
        plan.onWindowEnd?.();
        break;
      } else if (now - reportedAt >= RUN_REPORT_MS) {
        reportedAt = now;
        say(`running ${((now - endAt) / 1000 + opts.durationS).toFixed(0)}/${opts.durationS} s: in world ${p.inWorld}/${players}, disconnects ${p.disconnects}, back by resume ${p.resumes}, by login ${p.relogins}`);
      }
    }
    for (const w of workers) w.tell({ type: "stop" });
    const deadline = Date.now() + OVERSTAY_MS;
    while (workers.some((w) => !w.over) && Date.now() < deadline && interrupts < 2) await sleep(POLL_MS);
  } finally {
    process.off("SIGINT", onInterrupt);
    for (const w of workers) if (!w.exited) w.child.kill("SIGKILL");
  }
  return {
    results: workers.flatMap((w) => (w.result ? [w.result] : [])),
    lost: workers.filter((w) => !w.result).map((w) => w.latest),
    rampMs,
    interrupted: interrupts > 0,
    logFile,
  };
}
