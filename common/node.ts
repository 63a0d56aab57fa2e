// What every node kind shares: identity from the config, the inbox and peers, typed handlers
// per opcode, heartbeats to the revivers with vital signs, and a graceful stop.
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Frame } from "./codec.ts";
import { closeHttp } from "./http.ts";
import { createLog, errorFields, type Log } from "./log.ts";
import { listenMetrics } from "./metrics/listener.ts";
import { LOOP_DELAY_RESOLUTION_MS, NodeMetrics } from "./metrics/node-metrics.ts";
import { Op, opName, type OpCode } from "./opcodes.ts";
import type { Body } from "./protocol/index.ts";
import type { Vitals } from "./protocol/control.ts";
import type { NodeDown, NodeUp } from "./protocol/reviver.ts";
import type { MeshIdentity } from "./mesh/mesh-identity.ts";
import { meshIdentity } from "./mesh/realm-mesh.ts";
import { Wire } from "./wire.ts";
import { allNodes, findNode, type AnyNodeSpec, type RealmsConfig } from "./topology.ts";

const HEARTBEAT_MS = 500;
const STOP_DEADLINE_MS = 5000;

type TypedHandler<O extends OpCode> = (body: Body<O>, from: string) => void;

interface NodeOptions {
  config: RealmsConfig;
  spec: AnyNodeSpec;
  /** The realm's data dir; each node keeps its own files in `<dataRoot>/<node id>`. */
  dataRoot: string;
}

export class NodeRuntime {
  readonly id: string;
  readonly log: Log;
  readonly wire: Wire;
  /** CURVE keys and id proofs for every socket of the node; undefined when the realm runs without a mesh. */
  readonly mesh: MeshIdentity | undefined;
  /** The node's Prometheus registry; served on `metrics:` when the config gives one. */
  readonly metrics: NodeMetrics;
  readonly startedAt = Date.now();
  private readonly handlers = new Map<OpCode, (body: unknown, from: string) => void>();
  private readonly vitalSources: (() => Vitals)[] = [];
  private readonly stopHooks: (() => Promise<void> | void)[] = [];
  private readonly peerDownHooks: ((e: NodeDown) => void)[] = [];
  private readonly peerUpHooks: ((e: NodeUp) => void)[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatSeq = 0;
  private stopping: Promise<void> | undefined;
  private markStopped: () => void = () => {};
  /** Settles when the node has stopped, whoever asked (signal, SHUTDOWN frame, code). */
  readonly whenStopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(readonly opts: NodeOptions) {
    this.id = opts.spec.id;
    this.log = createLog(this.id);
    this.metrics = new NodeMetrics(opts.spec);
    // enabled with the default metrics' own monitor, so both sample in the same wakeup
    this.loopDelay.enable();
    // looked up on every frame received, so a map rather than a walk of the config
    const kinds = new Map(allNodes(opts.config).map((n) => [n.id, n.kind]));
    this.mesh = meshIdentity(opts.config, this.id);
    this.wire = new Wire(
      this.id,
      this.log,
      (peer) => findNode(opts.config, peer)?.inbox,
      (frame, from) => this.dispatch(frame, from),
      // an id outside the config is a tool (CLI, bench, test harness)
      (from) => kinds.get(from) ?? "tool",
      this.mesh,
    );
    this.on(Op.PING, (body, from) => this.wire.reply(from, Op.PONG, { corr: body.corr, id: this.id, uptimeMs: this.uptimeMs() }));
    this.on(Op.SHUTDOWN, (body, from) => void this.stop(`${from}: ${body.reason}`));
    this.on(Op.NODE_DOWN, (body, from) => this.peerEvent("peer-down", body, from, this.peerDownHooks));
    this.on(Op.NODE_UP, (body, from) => this.peerEvent("peer-up", body, from, this.peerUpHooks));
  }

  get spec(): AnyNodeSpec {
    return this.opts.spec;
  }

  on<O extends OpCode>(op: O, handler: TypedHandler<O>): void {
    this.handlers.set(op, handler as (body: unknown, from: string) => void);
  }

  /** Adds kind-specific figures (players, tick p99...) to every heartbeat. */
  addVitals(source: () => Vitals): void {
    this.vitalSources.push(source);
  }

  /**
   * Called when the leading reviver says a node this one depends on went down (NODE_DOWN: its
   * exit, or missed heartbeats), so the node acts at once instead of waiting on its own timeouts.
   */
  onPeerDown(hook: (e: NodeDown) => void): void {
    this.peerDownHooks.push(hook);
  }

  /** Called when that node is back (NODE_UP: its first heartbeat after the restart). */
  onPeerUp(hook: (e: NodeUp) => void): void {
    this.peerUpHooks.push(hook);
  }

  /** Runs on stop, before the sockets close, in reverse order of registration. */
  onStop(hook: () => Promise<void> | void): void {
    this.stopHooks.unshift(hook);
  }

  async start(): Promise<void> {
    await this.wire.bind(this.spec.inbox);
    // bound before the first heartbeat: a node whose metrics address is taken never reports up
    const at = this.spec.metrics;
    if (at) {
      const server = await listenMetrics(at, () => this.metrics.page(), this.log);
      this.onStop(() => closeHttp(server));
    }
    this.heartbeat();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    if (process.env.REALM_TEST_HOOKS === "1") this.enableTestHooks();
    this.log.info("node-up", { kind: this.spec.kind, realm: this.spec.realm, inbox: this.spec.inbox, pid: process.pid });
  }

  uptimeMs(): number {
    return Date.now() - this.startedAt;
  }

  vitals(): Vitals {
    const out: Vitals = {
      loopDelayP99Ms: this.loopDelay.percentile(99) / 1e6,
      badFrames: this.wire.badFrames,
      refusedFrames: this.wire.refusedFrames,
      droppedSends: this.wire.dropped,
    };
    this.loopDelay.reset();
    for (const source of this.vitalSources) Object.assign(out, source());
    return out;
  }

  /** Stops once: hooks (flush), heartbeats, sockets. Safe to call from signals and messages. */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<void> {
    this.log.info("node-stopping", { reason });
    const deadline = setTimeout(() => {
      this.log.error("stop-deadline-passed", { ms: STOP_DEADLINE_MS });
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    clearInterval(this.heartbeatTimer);
    for (const hook of this.stopHooks) {
      try {
        await hook();
      } catch (err) {
        this.log.error("stop-hook-failed", errorFields(err));
      }
    }
    await this.wire.close();
    this.loopDelay.disable();
    clearTimeout(deadline);
    this.log.info("node-stopped", { reason });
    this.markStopped();
  }

  private heartbeat(): void {
    const mem = process.memoryUsage();
    const body: Body<typeof Op.HEARTBEAT> = {
      id: this.id,
      kind: this.spec.kind,
      pid: process.pid,
      seq: this.heartbeatSeq++,
      startedAt: this.startedAt,
      uptimeMs: this.uptimeMs(),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      vitals: this.vitals(),
    };
    this.metrics.latest = body.vitals;
    if (this.spec.realm !== undefined) body.realm = this.spec.realm;
    for (const reviver of this.opts.config.revivers) {
      if (reviver.id !== this.id) this.wire.send(reviver.id, Op.HEARTBEAT, body);
    }
  }

  private peerEvent<E extends NodeDown | NodeUp>(event: string, body: E, from: string, hooks: ((e: E) => void)[]): void {
    // only a reviver knows; anyone else saying a node died could make us drop a live one
    if (!this.opts.config.revivers.some((r) => r.id === from)) {
      this.log.warn("peer-event-refused", { said: event, from, nodeId: body.nodeId, why: "not from a reviver" });
      return;
    }
    this.log.info(event, { ...body, from });
    for (const hook of hooks) {
      try {
        hook(body);
      } catch (err) {
        this.log.error("peer-hook-failed", { said: event, nodeId: body.nodeId, ...errorFields(err) });
      }
    }
  }

  /** Tests only (REALM_TEST_HOOKS=1): SIGUSR2 makes the node spin forever, a hang no signal handler can see. */
  private enableTestHooks(): void {
    process.on("SIGUSR2", () => {
      this.log.warn("test-hook-busy-loop", {});
      for (;;) {
        // spins until the reviver kills it
      }
    });
  }

  private dispatch(frame: Frame, from: string): void {
    const handler = this.handlers.get(frame.op);
    if (!handler) {
      this.log.warn("frame-unhandled", { from, op: opName(frame.op) });
      return;
    }
    handler(frame.body, from);
  }
}
