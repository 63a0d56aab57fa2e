// A realm's restart cycle, run by the leading reviver: players are warned at set moments (5, 4,
// 3, 2, 1 minutes, 30 and 10 seconds before), then closed by their client nodes, which makes
// each character leave its zone and be saved; the realm's nodes stop in order and start again,
// and players log in again. `realm restart --in 5m` plans one; `daily_restart` in realms.yaml
// plans one every day.
import type { Log } from "../../common/log.ts";
import { NoticeKind } from "../../common/player-opcodes.ts";
import type { RealmsConfig } from "../../common/topology.ts";

/** Seconds before the restart at which players are warned (those within the notice given). */
const WARN_AT_S = [300, 240, 180, 120, 60, 30, 10];
/** After the players are closed, how long their characters' last saves get before the zones stop. */
const SAVE_GRACE_MS = 1000;
const DAY_MS = 86_400_000;

interface RestartCycleOptions {
  config: RealmsConfig;
  log: Log;
  /** Tells every player of the realm, through every client node. */
  notice(realm: string, kind: number, seconds: number, text: string): void;
  /** Closes the realm's players on every client node; resolves with how many were closed. */
  closePlayers(realm: string, reason: string): Promise<number>;
  /** Stops the realm's nodes in order and starts them again; resolves once they are all up. */
  cycleNodes(realm: string, why: string): Promise<void>;
}

interface Planned {
  at: number;
  why: string;
  timers: NodeJS.Timeout[];
}

/** The next time of day `atMinute` (UTC) at or after `now`. */
export function nextDaily(atMinute: number, now: number): number {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  const today = midnight + atMinute * 60_000;
  return today >= now ? today : today + DAY_MS;
}

function inWords(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} minutes`;
  if (seconds === 60) return "1 minute";
  return `${seconds} seconds`;
}

export class RestartCycles {
  private readonly planned = new Map<string, Planned>();
  private readonly running = new Set<string>();
  /** The daily restart each realm last planned, so one day's is planned once. */
  private readonly dailyPlanned = new Map<string, number>();

  constructor(private readonly opts: RestartCycleOptions) {}

  /**
   * What `realm restart` and the operator console ask for: plans (or with `cancel`, calls off) a
   * restart of `realm`; a refusal is a sentence for the operator.
   */
  ask(realm: string, inMs: number, cancel: boolean, by: string): { ok: true; at?: number } | { ok: false; error: string } {
    if (!this.opts.config.realms.some((r) => r.name === realm)) return { ok: false, error: `no realm ${realm} in ${this.opts.config.file}` };
    if (cancel) return this.cancel(realm) ? { ok: true } : { ok: false, error: `no restart of ${realm} is planned` };
    try {
      return { ok: true, at: this.schedule(realm, inMs, `asked by ${by}`) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  /** Plans a restart of `realm` in `inMs` (replacing one already planned); returns when. */
  schedule(realm: string, inMs: number, why: string, now = Date.now()): number {
    if (this.running.has(realm)) throw new Error(`${realm} is restarting now`);
    this.cancel(realm);
    const at = now + inMs;
    const timers: NodeJS.Timeout[] = [];
    const warn = (seconds: number): void => this.opts.notice(realm, NoticeKind.RESTART, seconds, `The realm restarts in ${inWords(seconds)}. Your progress is saved.`);
    warn(Math.round(inMs / 1000));
    for (const s of WARN_AT_S) {
      if (s * 1000 < inMs) timers.push(setTimeout(() => warn(s), inMs - s * 1000));
    }
    timers.push(setTimeout(() => void this.run(realm, why), inMs));
    this.planned.set(realm, { at, why, timers });
    this.opts.log.info("realm-restart-planned", { realm, at: new Date(at).toISOString(), why });
    return at;
  }

  cancel(realm: string): boolean {
    const p = this.planned.get(realm);
    if (!p) return false;
    for (const timer of p.timers) clearTimeout(timer);
    this.planned.delete(realm);
    this.opts.notice(realm, NoticeKind.INFO, 0, "The realm restart is called off.");
    this.opts.log.info("realm-restart-cancelled", { realm, at: new Date(p.at).toISOString() });
    return true;
  }

  /** Called now and then by the leader: plans each realm's daily restart once its warning time has come. */
  checkDaily(now = Date.now()): void {
    for (const realm of this.opts.config.realms) {
      const daily = realm.dailyRestart;
      if (!daily) continue;
      const at = nextDaily(daily.atMinute, now);
      if (at - now > daily.warnMs || this.dailyPlanned.get(realm.name) === at || this.planned.has(realm.name)) continue;
      this.dailyPlanned.set(realm.name, at);
      this.schedule(realm.name, at - now, "daily restart", now);
    }
  }

  /** No longer leading: the next leader plans the daily restarts again. */
  clear(): void {
    for (const p of this.planned.values()) for (const timer of p.timers) clearTimeout(timer);
    this.planned.clear();
  }

  private async run(realm: string, why: string): Promise<void> {
    this.planned.delete(realm);
    this.running.add(realm);
    const started = Date.now();
    try {
      this.opts.notice(realm, NoticeKind.RESTART, 0, "The realm is restarting now. Log in again in a minute.");
      const closed = await this.opts.closePlayers(realm, "the realm is restarting; log in again in a minute");
      await new Promise((resolve) => setTimeout(resolve, SAVE_GRACE_MS));
      this.opts.log.info("realm-restart-begins", { realm, why, playersClosed: closed });
      await this.opts.cycleNodes(realm, why);
      this.opts.log.info("realm-restarted", { realm, why, tookMs: Date.now() - started });
    } catch (err) {
      this.opts.log.error("realm-restart-failed", { realm, why, error: (err as Error).message });
    } finally {
      this.running.delete(realm);
    }
  }
}
