// What the `realm bots` parent and its worker processes say to each other over the fork IPC
// channel: the parent starts, opens the measured window and stops; a worker reports progress
// once a second and everything it counted once at the end.
import type { Behavior } from "./options.ts";
import type { BotLedger } from "./ledger.ts";
import type { Counters, HistogramData, Tally } from "./stats.ts";
import type { ViewCheck } from "./truth.ts";

export interface WorkerSpec {
  worker: number;
  configFile: string;
  realm: string;
  behavior: Behavior;
  /** The bot numbers this worker drives (bot_<n>). */
  bots: number[];
  password: string;
  /** Logins this worker starts per second. */
  ramp: number;
  /** Whether this worker holds a few views against the zones' records. */
  checkViews: boolean;
}

export type ToWorker = { type: "start"; spec: WorkerSpec } | { type: "measure" } | { type: "stop" };

export interface Progress {
  /** Bots whose login was answered with a session at least once. */
  loggedIn: number;
  /** Bots that stood in the world at least once. */
  entered: number;
  inWorld: number;
  failed: number;
  disconnects: number;
  resumes: number;
  relogins: number;
  /** Bots whose behavior has a spot (clump, patrol, trade), and those of them that reached it. */
  placing: number;
  placed: number;
}

export function emptyProgress(): Progress {
  return { loggedIn: 0, entered: 0, inWorld: 0, failed: 0, disconnects: 0, resumes: 0, relogins: 0, placing: 0, placed: 0 };
}

/** Per bot, over the measured window. */
export interface BotRates {
  bytesPerSec: number;
  framesPerSec: number;
  updatesPerSec: number;
}

export interface WorkerResult {
  progress: Progress;
  /** How long the measured window lasted in this worker, ms (0 when it never opened). */
  windowMs: number;
  rates: BotRates[];
  counters: Counters;
  closeCodes: Tally;
  refusals: Tally;
  failures: Tally;
  loginStatuses: Tally;
  rtt: HistogramData;
  /** Milliseconds from entering to the behavior's spot, for the bots that reached it. */
  placedMs: number[];
  /** Per disconnection, from the drop to back in the world. */
  returnMs: number[];
  /** Bots whose behavior has a spot to reach. */
  placing: number;
  views: ViewCheck | undefined;
  ledgers: BotLedger[];
}

export type FromWorker = { type: "progress"; progress: Progress } | { type: "final"; result: WorkerResult };
