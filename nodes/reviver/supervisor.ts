// The reviver's table of nodes: what it hears from them (heartbeats), what it did to them
// (starts, restarts, give-ups), and, while it leads, the decisions. Followers keep the same table
// from heartbeats so a takeover starts from what is running instead of from nothing.
import type { ChildProcess } from "node:child_process";
import { isAlive, lastFatal, launchNode, type LaunchContext } from "../../common/launch.ts";
import type { Log } from "../../common/log.ts";
import type { Vitals } from "../../common/protocol/control.ts";
import { Op } from "../../common/opcodes.ts";
import type { Heartbeat } from "../../common/protocol/control.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { NodeStatus } from "../../common/protocol/reviver.ts";
import { START_ORDER, type AnyNodeSpec, type NodeKind } from "../../common/topology.ts";
import { exitCause, missedHeartbeats, noHeartbeatAfterStart, processGone, starvedTooLong } from "./causes.ts";
import { CrashPolicy } from "./crash-policy.ts";
import { nodesToTell, procedureFor } from "./procedures.ts";
import { Silence } from "./silence.ts";

/** A node silent this long is hung or gone. */
export const HEARTBEAT_TIMEOUT_MS = 1500;
/** A local node starved of CPU (nodes/reviver/silence.ts) may stay silent this long before it is restarted. */
export const STARVED_TIMEOUT_MS = 20_000;
/** A freshly started node must say something within this. */
const STARTUP_DEADLINE_MS = 15_000;
/**
 * Each start in a row that missed its deadline doubles the next one's, up to this: on a loaded host
 * a start that takes 20 s would otherwise be killed at 15 s, again and again, and never come up.
 */
const MAX_STARTUP_DEADLINE_MS = 120_000;
/** At takeover, a reviver the old leader should have started gets this long to show up. */
const REVIVER_GRACE_MS = 5_000;
const STOP_DEADLINE_MS = 6_000;
const CHECK_EVERY_MS = 100;
/** A check this much later than due: the reviver was starved itself (see check()). */
const OWN_LAG_MS = 400;

type State = NodeStatus["state"];

interface Watched {
  spec: AnyNodeSpec;
  state: State;
  pid: number | undefined;
  child: ChildProcess | undefined;
  launchedAt: number;
  /** How long this start may stay silent: grows while starts time out, back to the first once one answers. */
  startupDeadlineMs: number;
  lastHeartbeat: number | undefined;
  vitals: Vitals;
  restarts: number;
  history: RestartRecord[];
  reason: string | undefined;
  policy: CrashPolicy;
  restartTimer: NodeJS.Timeout | undefined;
  /** When this leader found the node down, until its first heartbeat after the restart. */
  downSince: number | undefined;
  /** The start, by our clock, of the process last heard, from its least delayed heartbeat (now - uptime): how late a heartbeat of it comes. */
  clock: { pid: number; startedAt: number } | undefined;
  silence: Silence;
}

export interface RestartRecord {
  nodeId: string;
  /** When the node was found down. */
  at: number;
  cause: string;
  procedure: string;
  /** From `at` to the restarted node's first heartbeat. */
  recoveredMs?: number;
}

/** What the leading reviver tells the nodes that depend on one that died. */
export type PeerNoticeOp = typeof Op.NODE_DOWN | typeof Op.NODE_UP;

export interface SupervisorOptions {
  self: string;
  nodes: AnyNodeSpec[];
  launch: LaunchContext;
  log: Log;
  /** Where restarts are written, so that the next leader knows the history. */
  record: (r: RestartRecord) => void;
  /** Called once `r.recoveredMs` is known: the restarted node's first heartbeat. */
  recovered: (r: RestartRecord) => void;
  /** Sends NODE_DOWN / NODE_UP to one node. */
  notify: <O extends PeerNoticeOp>(to: string, op: O, body: Body<O>) => void;
  /** Asks a node we did not spawn (it has a `restart:` command) to stop, over the wire. */
  askToStop: (id: string) => void;
  /** The first start's deadline; tests shorten it. */
  startupDeadlineMs?: number;
}

/** A restart as `realm status` shows it; an unknown recovery time is left out (the wire has no undefined). */
function historyEntry({ at, cause, procedure, recoveredMs }: RestartRecord): NodeStatus["history"][number] {
  return recoveredMs === undefined ? { at, cause, procedure } : { at, cause, procedure, recoveredMs };
}

export class Supervisor {
  private readonly watched = new Map<string, Watched>();
  private leading = false;
  private stopping = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private lastCheckAt = 0;

  private readonly firstStartupDeadlineMs: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.firstStartupDeadlineMs = opts.startupDeadlineMs ?? STARTUP_DEADLINE_MS;
    for (const spec of opts.nodes) {
      this.watched.set(spec.id, {
        spec,
        state: spec.id === opts.self ? "up" : "down",
        pid: spec.id === opts.self ? process.pid : undefined,
        child: undefined,
        launchedAt: 0,
        startupDeadlineMs: this.firstStartupDeadlineMs,
        lastHeartbeat: undefined,
        vitals: {},
        restarts: 0,
        history: [],
        reason: undefined,
        policy: new CrashPolicy(),
        restartTimer: undefined,
        downSince: undefined,
        clock: undefined,
        silence: new Silence(),
      });
    }
  }

  heard(hb: Heartbeat, now = Date.now()): void {
    const w = this.watched.get(hb.id);
    if (!w || w.spec.id === this.opts.self) return;
    const lateMs = this.lateMs(w, hb, now);
    if (w.spec.restart === undefined) {
      // a heartbeat still in flight from a process we already replaced says nothing of the new one
      if (w.child?.pid !== undefined && w.child.pid !== hb.pid && w.child.exitCode === null) return;
    } else if (w.state !== "up" && lateMs > HEARTBEAT_TIMEOUT_MS) {
      // A restart: command's shell is never the node (it may still run while the node heartbeats), and the node,
      // on another host, heartbeats over a network: those a cut link held back arrive together once it is back,
      // maybe from a process the command has killed since. Late by more than the timeout, they say nothing of now.
      return;
    }
    if (w.silence.starvedSince !== undefined) {
      this.opts.log.info("node-caught-up", { id: w.spec.id, silentMs: now - (w.lastHeartbeat ?? now) });
      w.reason = undefined;
    }
    w.silence.end();
    w.lastHeartbeat = now;
    w.pid = hb.pid;
    w.vitals = { ...hb.vitals, uptimeMs: hb.uptimeMs, rssBytes: hb.rssBytes, heapUsedBytes: hb.heapUsedBytes };
    if (w.state !== "up" && w.state !== "stopped") {
      if (w.state !== "starting" || this.leading) this.opts.log.info("node-up", { id: w.spec.id, pid: hb.pid });
      w.state = "up";
      w.reason = undefined;
      w.startupDeadlineMs = this.firstStartupDeadlineMs;
      if (this.leading) this.recovered(w, now);
    }
  }

  /** How much later than the process's least delayed heartbeat this one arrived (0 for a process heard first now). */
  private lateMs(w: Watched, hb: Heartbeat, now: number): number {
    const startedAt = now - hb.uptimeMs;
    if (w.clock?.pid !== hb.pid || startedAt < w.clock.startedAt) w.clock = { pid: hb.pid, startedAt };
    return startedAt - w.clock.startedAt;
  }

  /** The first heartbeat after a restart: the time to recovery is known, and the dependents are told. */
  private recovered(w: Watched, now: number): void {
    if (w.downSince === undefined) return;
    const downMs = now - w.downSince;
    w.downSince = undefined;
    const last = w.history.at(-1);
    if (last !== undefined && last.recoveredMs === undefined) {
      last.recoveredMs = now - last.at;
      this.opts.recovered(last);
    }
    this.opts.log.info("node-recovered", { id: w.spec.id, kind: w.spec.kind, downMs, recoveredMs: last?.recoveredMs });
    this.tell(w, Op.NODE_UP, { ...this.about(w), downMs });
  }

  private about(w: Watched): { nodeId: string; kind: NodeKind; realm?: string } {
    return w.spec.realm === undefined ? { nodeId: w.spec.id, kind: w.spec.kind } : { nodeId: w.spec.id, kind: w.spec.kind, realm: w.spec.realm };
  }

  /** Tells the nodes that act on `w`'s death or return; a node that is not up is skipped (it would get a stale word). */
  private tell<O extends PeerNoticeOp>(w: Watched, op: O, body: Body<O>): void {
    const to = nodesToTell(w.spec, this.opts.nodes).filter((n) => this.watched.get(n.id)?.state === "up");
    for (const n of to) this.opts.notify(n.id, op, body);
    this.opts.log.info(op === Op.NODE_DOWN ? "node-down-told" : "node-up-told", { id: w.spec.id, to: to.map((n) => n.id) });
  }

  /** Restart counts and history of this run, as recorded by earlier leaders. */
  restore(records: RestartRecord[]): void {
    for (const r of records) {
      const w = this.watched.get(r.nodeId);
      if (!w) continue;
      w.restarts++;
      w.history.push(r);
    }
  }

  /** Becomes the acting reviver: adopts what runs, starts what does not, in dependency order. */
  async lead(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    const now = Date.now();
    for (const w of this.others()) {
      const fresh = w.lastHeartbeat !== undefined && now - w.lastHeartbeat < HEARTBEAT_TIMEOUT_MS;
      if (fresh) {
        w.state = "up";
      } else if (w.spec.kind === "reviver" && w.state !== "up") {
        // a reviver we heard before (the old leader) is judged like any node by check(); one never heard gets a grace
        w.state = "starting";
        w.launchedAt = now - w.startupDeadlineMs + REVIVER_GRACE_MS;
      }
    }
    this.lastCheckAt = Date.now();
    this.checkTimer = setInterval(() => this.check(), CHECK_EVERY_MS);
    for (const kind of START_ORDER) {
      if (this.stopping || !this.leading) return;
      await this.startTier(kind);
    }
  }

  /** Stops acting (leadership lost); keeps listening. */
  follow(): void {
    this.leading = false;
    clearInterval(this.checkTimer);
    for (const w of this.watched.values()) clearTimeout(w.restartTimer);
  }

  get isLeading(): boolean {
    return this.leading;
  }

  status(now = Date.now()): NodeStatus[] {
    return [...this.watched.values()].map((w) => {
      const s: NodeStatus = {
        id: w.spec.id,
        kind: w.spec.kind,
        state: w.state,
        restarts: w.restarts,
        vitals: w.vitals,
        history: w.history.slice(-20).map(historyEntry),
      };
      if (w.spec.realm !== undefined) s.realm = w.spec.realm;
      if (w.pid !== undefined) s.pid = w.pid;
      if (w.spec.id === this.opts.self) s.heartbeatAgeMs = 0;
      else if (w.lastHeartbeat !== undefined) s.heartbeatAgeMs = now - w.lastHeartbeat;
      if (w.reason !== undefined) s.reason = w.reason;
      return s;
    });
  }

  /** Stops every other node, last-started kind first, then the other revivers. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    clearInterval(this.checkTimer);
    for (const w of this.watched.values()) clearTimeout(w.restartTimer);
    const order: NodeKind[] = [...START_ORDER].reverse();
    order.push("reviver");
    for (const kind of order) {
      await Promise.all(this.others().filter((w) => w.spec.kind === kind).map((w) => this.stopOne(w)));
    }
  }

  close(): void {
    this.stopping = true;
    clearInterval(this.checkTimer);
    for (const w of this.watched.values()) clearTimeout(w.restartTimer);
  }

  private others(): Watched[] {
    return [...this.watched.values()].filter((w) => w.spec.id !== this.opts.self);
  }

  /**
   * A planned restart of one realm's own nodes (nodes/reviver/restart-cycle.ts): they stop in the
   * reverse of the start order, so zones save their players while the database node is there and
   * the database node stops last, then start again in order. Each gets a restart record.
   */
  async cycleRealm(realm: string, why: string): Promise<void> {
    const nodes = this.others().filter((w) => w.spec.realm === realm);
    const at = Date.now();
    for (const kind of [...START_ORDER].reverse()) {
      await Promise.all(nodes.filter((w) => w.spec.kind === kind).map((w) => this.stopOne(w)));
    }
    for (const w of nodes) this.plannedDown(w, at, `planned restart: ${why}`, "realm restart: players saved and closed, nodes stopped in order, started again");
    for (const kind of START_ORDER) await this.startTier(kind, nodes);
  }

  /**
   * An operator's restart of one node (the console): stopped as at a realm stop, recorded, and
   * started again. False when there is no such node (or it is this reviver) or we do not lead.
   */
  async restartNode(id: string, why: string): Promise<boolean> {
    const w = this.watched.get(id);
    if (!w || id === this.opts.self || !this.leading || this.stopping) return false;
    const at = Date.now();
    const cause = `operator restart: ${why}`;
    // its dependants act as on a crash (placement stops sending players to a client node at once)
    this.tell(w, Op.NODE_DOWN, { ...this.about(w), cause, at });
    await this.stopOne(w);
    this.plannedDown(w, at, cause, procedureFor(w.spec).name);
    // the operator asked for it: a node that was given up on gets a fresh count of crashes
    w.policy = new CrashPolicy();
    this.start(w);
    return true;
  }

  /** A stop we made on purpose: a restart record like a crash's, so history and recovery time show it. */
  private plannedDown(w: Watched, at: number, cause: string, procedure: string): void {
    const record: RestartRecord = { nodeId: w.spec.id, at, cause, procedure };
    w.restarts++;
    w.history.push(record);
    w.downSince = at;
    this.opts.record(record);
  }

  private async startTier(kind: NodeKind, among = this.others()): Promise<void> {
    const tier = among.filter((w) => w.spec.kind === kind && w.state !== "up");
    for (const w of tier) this.start(w);
    const deadline = Date.now() + Math.max(0, ...tier.map((w) => w.startupDeadlineMs));
    // the next kind needs this one: wait for it to answer, but never forever
    while (Date.now() < deadline && tier.some((w) => w.state === "starting") && this.leading && !this.stopping) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private start(w: Watched): void {
    w.state = "starting";
    w.launchedAt = Date.now();
    w.lastHeartbeat = undefined;
    w.silence.end();
    const child = launchNode(w.spec, this.opts.launch);
    w.child = child;
    w.pid = w.spec.restart === undefined ? child.pid : undefined;
    this.opts.log.info("node-starting", { id: w.spec.id, kind: w.spec.kind, pid: w.pid });
    child.once("exit", (code, signal) => {
      // a restart command's shell exits once it has launched the node; heartbeats watch that node
      if (w.spec.restart !== undefined || w.child !== child) return;
      if (this.leading && !this.stopping && w.state !== "given-up" && w.state !== "stopped") this.crashed(w, exitCause(code, signal), code !== null);
    });
    child.once("error", (err) => this.opts.log.error("launch-failed", { id: w.spec.id, error: err.message }));
  }

  private check(now = Date.now()): void {
    if (!this.leading || this.stopping) return;
    // this check comes late: the reviver itself was not scheduled, and heartbeats that came meanwhile
    // wait unread in its sockets (timers run before I/O in a turn); judge none until they are read
    const sinceLast = now - this.lastCheckAt;
    this.lastCheckAt = now;
    if (sinceLast > CHECK_EVERY_MS + OWN_LAG_MS) return void this.opts.log.info("reviver-late", { lateMs: sinceLast - CHECK_EVERY_MS });
    for (const w of this.others()) {
      if (w.state === "starting" && now - w.launchedAt > w.startupDeadlineMs) {
        if (w.child === undefined) this.start(w);
        else {
          const missed = w.startupDeadlineMs;
          w.startupDeadlineMs = Math.min(MAX_STARTUP_DEADLINE_MS, missed * 2);
          this.crashed(w, noHeartbeatAfterStart(missed));
        }
      } else if (w.state === "up" && w.lastHeartbeat !== undefined && now - w.lastHeartbeat > HEARTBEAT_TIMEOUT_MS / 2) {
        this.silent(w, now - w.lastHeartbeat, now);
      } else if (w.state === "up" && this.adopted(w) && !isAlive(w.pid)) {
        // adopted from an earlier leader: no exit event reaches us, so look at the process table
        this.crashed(w, processGone(w.pid));
      }
    }
  }

  /** Heartbeats overdue: past the timeout, a hung or gone node is restarted, a starved one given longer. */
  private silent(w: Watched, silentMs: number, now: number): void {
    const pid = w.spec.restart === undefined ? w.pid : undefined;
    if (pid !== undefined) w.silence.overdue(pid, now);
    if (silentMs <= HEARTBEAT_TIMEOUT_MS) return;
    if (this.adopted(w) && !isAlive(w.pid)) return this.crashed(w, processGone(w.pid));
    const { verdict, runShare } = pid === undefined ? ({ verdict: "hung" } as const) : w.silence.judge(pid, now);
    if (verdict === "hung") return this.crashed(w, missedHeartbeats(HEARTBEAT_TIMEOUT_MS));
    if (silentMs > STARVED_TIMEOUT_MS) return this.crashed(w, starvedTooLong(STARVED_TIMEOUT_MS));
    if (verdict === "starved" && w.silence.starvedSince === undefined) {
      w.silence.starvedSince = now;
      w.reason = `starved of CPU: runnable, ran ${Math.round((runShare ?? 0) * 100)} % of the time, silent ${(silentMs / 1000).toFixed(1)} s`;
      this.opts.log.warn("node-starved", { id: w.spec.id, kind: w.spec.kind, pid, silentMs, runShare, restartAfterMs: STARVED_TIMEOUT_MS });
    }
  }

  /** A node on this host that we did not spawn (an earlier leader did): its pid is all we can watch. */
  private adopted(w: Watched): w is Watched & { pid: number } {
    return w.pid !== undefined && w.child?.pid !== w.pid && w.spec.restart === undefined;
  }

  /** `exited`: the node ended by itself, so its last `fatal` line (if any) says why. */
  private crashed(w: Watched, cause: string, exited = false): void {
    if (w.state === "down" && w.restartTimer !== undefined) return;
    this.kill(w, "SIGKILL");
    w.state = "down";
    w.child = undefined;
    const now = Date.now();
    if (w.downSince === undefined) {
      w.downSince = now;
      this.tell(w, Op.NODE_DOWN, { ...this.about(w), cause, at: now });
    }
    // a killed or hung node wrote no last word: an old `fatal` line in its log would mislead
    const fatal = exited ? lastFatal(this.opts.launch.dataDir, w.spec.id) : undefined;
    const because = (fatal ? `${cause}: ${fatal}` : cause).slice(0, 900);
    const verdict = w.policy.crashed(now);
    if (verdict.action === "give-up") {
      w.state = "given-up";
      w.reason = `gave up after ${verdict.crashes} crashes in 60 s; last: ${because}`;
      this.opts.log.error("node-given-up", { id: w.spec.id, kind: w.spec.kind, reason: w.reason });
      return;
    }
    w.reason = because;
    const procedure = procedureFor(w.spec);
    const record: RestartRecord = { nodeId: w.spec.id, at: now, cause, procedure: procedure.name };
    w.restarts++;
    w.history.push(record);
    this.opts.record(record);
    this.opts.log.warn("node-crashed", { id: w.spec.id, kind: w.spec.kind, cause, detail: fatal, procedure: procedure.name, steps: procedure.steps, restartInMs: verdict.delayMs });
    w.restartTimer = setTimeout(() => {
      w.restartTimer = undefined;
      if (this.leading && !this.stopping) this.start(w);
    }, verdict.delayMs);
  }

  private kill(w: Watched, signal: NodeJS.Signals): void {
    const pid = w.child?.pid ?? w.pid;
    if (pid === undefined || w.spec.restart !== undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  private async stopOne(w: Watched): Promise<void> {
    clearTimeout(w.restartTimer);
    // stopped on purpose: its exit is not a crash
    w.state = "stopped";
    const pid = w.spec.restart === undefined ? w.pid : undefined;
    const running = (): boolean =>
      pid !== undefined ? isAlive(pid) : w.lastHeartbeat !== undefined && Date.now() - w.lastHeartbeat < HEARTBEAT_TIMEOUT_MS;
    if (pid === undefined) this.opts.askToStop(w.spec.id);
    else this.kill(w, "SIGTERM");
    const deadline = Date.now() + STOP_DEADLINE_MS;
    while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (pid !== undefined && isAlive(pid)) {
      this.opts.log.warn("node-stop-forced", { id: w.spec.id, pid });
      this.kill(w, "SIGKILL");
    }
  }
}
