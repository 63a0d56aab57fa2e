// What `realm bots` is asked to do, checked before anything starts: every mistake is a
// UsageError (one line, exit 2).
import { UsageError } from "../../common/errors.ts";
import { options } from "../command.ts";

export const BEHAVIORS = ["spread", "clump", "patrol", "fight", "trade", "dungeon", "party"] as const;
export type Behavior = (typeof BEHAVIORS)[number];

/** About the rate two login nodes sustain with the shipped scrypt on this machine (README, Measured). */
export const DEFAULT_RAMP = 15;
/** Bots one worker process drives before another is forked. */
const BOTS_PER_WORKER = 250;
const MAX_DEFAULT_WORKERS = 8;
const MAX_PLAYERS = 20_000;
const MAX_WORKERS = 64;
/** A day: every run is bounded, and a typo of a few zeros is caught. */
const MAX_DURATION_S = 86_400;

export interface BotsOptions {
  players: number;
  behavior: Behavior;
  durationS: number;
  /** Logins started per second, over all workers. */
  ramp: number;
  workers: number;
  json: boolean;
  ledger: string | undefined;
  realm: string | undefined;
  config: string | undefined;
  data: string | undefined;
}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`--${flag} is required`);
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

function positive(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}, not "${text}"`);
  return n;
}

export function parseBotsOptions(argv: string[]): BotsOptions {
  const { values, positionals } = options(argv, {
    players: { type: "string" },
    behavior: { type: "string" },
    duration: { type: "string" },
    ramp: { type: "string" },
    workers: { type: "string" },
    ledger: { type: "string" },
    realm: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(" ")}`);
  const players = integer("players", values.players, 1, MAX_PLAYERS);
  if (values.behavior === undefined) throw new UsageError(`--behavior is required: ${BEHAVIORS.join(", ")}`);
  const behavior = BEHAVIORS.find((b) => b === values.behavior);
  if (!behavior) throw new UsageError(`no behavior "${values.behavior}" (there are: ${BEHAVIORS.join(", ")})`);
  if (values.duration === undefined) throw new UsageError("--duration is required (seconds): every run is bounded");
  const durationS = positive("duration", values.duration, MAX_DURATION_S);
  const ramp = values.ramp === undefined ? DEFAULT_RAMP : positive("ramp", values.ramp, 10_000);
  const workers = values.workers === undefined ? Math.min(Math.ceil(players / BOTS_PER_WORKER), MAX_DEFAULT_WORKERS) : integer("workers", values.workers, 1, MAX_WORKERS);
  if (values.ledger === "") throw new UsageError("--ledger needs a file name");
  return {
    players,
    behavior,
    durationS,
    ramp,
    workers: Math.min(workers, players),
    json: values.json ?? false,
    ledger: values.ledger,
    realm: values.realm,
    config: values.config,
    data: values.data,
  };
}
