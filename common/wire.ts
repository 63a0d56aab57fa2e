// The node-to-node channel over ZeroMQ. Every node binds one inbox (ROUTER); it reaches a
// peer through one DEALER per peer, addressed by node id. Messages are fire-and-forget; a
// request that wants an answer carries a `corr`, and the answer comes back over the same
// connection as a separate message with that `corr`. Every wait has a timeout.
// With a mesh identity (common/mesh/) every socket speaks CURVE: the inbox admits only the realm's
// keys (ZAP), and a DEALER's routing id carries the proof of its node id.
import * as zmq from "zeromq";
import { decodeFrame, encodeFrame, MAX_BODY_BYTES, type Frame } from "./codec.ts";
import { FrameError, TimeoutError, WrongReplyError } from "./errors.ts";
import { errorFields, type Log } from "./log.ts";
import { claimedId, type MeshIdentity } from "./mesh/mesh-identity.ts";
import { RepeatCounter } from "./mesh/repeat-counter.ts";
import { opName, type OpCode } from "./opcodes.ts";
import { REPLIES, REPLY_OPS, type Body, type Reply, type Request, type RequestOp } from "./protocol/index.ts";
import { maySend, type SenderKind } from "./protocol/senders.ts";

/**
 * Transport cap on the inbox: libzmq hangs up on a sender past it, before our own (smaller, logged)
 * body check, and the sender may connect again. Only the inbox has it: on a socket that connected
 * (a DEALER, a SUB) libzmq takes an oversized message for a protocol error and never reconnects,
 * so one oversized answer would cut this node off from that peer for good.
 */
const TRANSPORT_MAX_BYTES = 64 << 20;
/** Frames queued for one peer before new ones are dropped: a dead peer must not eat our memory. */
const MAX_QUEUED = 10_000;
const LINGER_MS = 300;

export type Handler = (frame: Frame, from: string) => void;

/** Why a body must not go out: the peer's decoder refuses it, and only here does the log name the code that built it. */
function tooBig(op: OpCode, payload: Buffer): string | undefined {
  return payload.length > MAX_BODY_BYTES ? `${opName(op) ?? op} body of ${payload.length} bytes exceeds ${MAX_BODY_BYTES}, which the peer refuses` : undefined;
}

/**
 * Serialises sends on one socket: zeromq.js allows one send in flight per socket, and
 * fire-and-forget callers must never wait on a slow or absent peer.
 */
class SendQueue {
  private queue: Buffer[][] = [];
  private draining = false;
  dropped = 0;

  constructor(
    private readonly socket: zmq.Router | zmq.Dealer,
    private readonly log: Log,
    private readonly peer: string,
  ) {}

  /** Queues a frame (its body last) unless the body is past what the peer accepts: then returns why it was dropped. */
  offer(op: OpCode, frames: Buffer[]): string | undefined {
    const why = tooBig(op, frames[frames.length - 1]!);
    if (why) this.drop(why);
    else this.push(frames);
    return why;
  }

  private push(frames: Buffer[]): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.drop("queue full");
      return;
    }
    this.queue.push(frames);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0 && !this.socket.closed) {
      const frames = this.queue.shift()!;
      try {
        await this.socket.send(frames);
      } catch (err) {
        // EAGAIN (peer's high-water mark reached) or an unroutable reply: drop, never block.
        this.drop((err as Error).message);
      }
    }
    this.draining = false;
  }

  private drop(why: string): void {
    this.dropped++;
    // one line per power of two keeps a flood from flooding the log too
    if ((this.dropped & (this.dropped - 1)) === 0) this.log.warn("send-dropped", { peer: this.peer, why, dropped: this.dropped });
  }
}

async function receiveLoop(socket: zmq.Router | zmq.Dealer, onFrames: (frames: Buffer[]) => void): Promise<void> {
  try {
    for await (const frames of socket) onFrames(frames);
  } catch (err) {
    if (!socket.closed) throw err;
  }
}

function isFrameOf<O extends OpCode>(frame: { op: OpCode }, op: O): frame is Frame<O> {
  return frame.op === op;
}

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests waiting for their answer, by `corr`. */
class PendingRequests {
  private next = 1;
  private readonly waiting = new Map<number, Pending>();

  open(peer: string, what: string, timeoutMs: number): { corr: number; answer: Promise<Frame> } {
    const corr = this.next++;
    const answer = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(corr);
        reject(new TimeoutError(peer, what, timeoutMs));
      }, timeoutMs);
      this.waiting.set(corr, { resolve, reject, timer });
    });
    return { corr, answer };
  }

  /** True when the frame was an awaited answer. */
  settle(frame: Frame): boolean {
    if (!REPLY_OPS.has(frame.op)) return false;
    const corr = "corr" in frame.body ? frame.body.corr : undefined;
    const pending = corr === undefined ? undefined : this.waiting.get(corr);
    if (!pending || corr === undefined) return false;
    this.waiting.delete(corr);
    clearTimeout(pending.timer);
    pending.resolve(frame);
    return true;
  }

  /** Forgets a request that never went out; its answer promise is dropped unsettled. */
  cancel(corr: number): void {
    clearTimeout(this.waiting.get(corr)?.timer);
    this.waiting.delete(corr);
  }

  failAll(err: Error): void {
    for (const p of this.waiting.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.waiting.clear();
  }
}

/**
 * One node's end of the wire: its inbox, its connections to peers, and its open requests.
 * `handler` gets every well-formed frame that is not an awaited answer.
 */
export class Wire {
  private inbox: zmq.Router | undefined;
  private inboxQueue: SendQueue | undefined;
  private readonly peers = new Map<string, { socket: zmq.Dealer; queue: SendQueue }>();
  private readonly pending = new PendingRequests();
  private readonly loops: Promise<void>[] = [];
  /** Frames dropped because they did not decode; reported in the heartbeat. */
  badFrames = 0;
  /** Frames dropped because their sender's kind may not send that opcode (common/protocol/senders.ts). */
  refusedFrames = 0;
  private readonly refusals = new RepeatCounter();
  /** The routing id each proven sender last used, for replies (with a mesh it is not the node id). */
  private readonly routes = new Map<string, string>();
  private unlisten: (() => void) | undefined;

  constructor(
    readonly self: string,
    private readonly log: Log,
    private readonly addressOf: (peer: string) => string | undefined,
    private readonly handler: Handler,
    /** The kind of a sender by node id; nodes give it so the sender table is enforced, tools need not. */
    private readonly senderOf?: (from: string) => SenderKind,
    /** CURVE keys and id proofs; without it the wire is plain TCP and a routing id is taken at its word. */
    private readonly mesh?: MeshIdentity,
  ) {}

  /** Binds the inbox; throws (EADDRINUSE...) so the node can exit with a clear reason. */
  async bind(address: string): Promise<string> {
    this.unlisten ??= await this.mesh?.listen(this.log);
    const router = new zmq.Router({ handover: true, maxMessageSize: TRANSPORT_MAX_BYTES, linger: LINGER_MS, sendTimeout: 0, ...this.mesh?.serverOptions() });
    try {
      await router.bind(address);
    } catch (err) {
      router.close();
      throw new Error(`cannot bind inbox ${address}: ${(err as Error).message}`);
    }
    this.inbox = router;
    this.inboxQueue = new SendQueue(router, this.log, "inbox");
    if (this.mesh) this.logFailedHandshakes(router, address);
    this.loops.push(
      receiveLoop(router, (frames) => {
        const [identity, ...rest] = frames;
        if (!identity) return;
        // latin1 maps every byte to one char and back: a peer without a routing id gets a binary one from libzmq
        const route = identity.toString("latin1");
        const from = this.mesh ? this.mesh.senderOf(route) : route;
        if (from === undefined) return this.refuse(claimedId(route) ?? "(no id)", "any", "its routing id does not prove a node id with the key it connected with");
        if (from !== route) {
          // bounded: every CLI run is a tool id of its own
          if (this.routes.size >= 10_000 && !this.routes.has(from)) this.routes.clear();
          this.routes.set(from, route);
        }
        this.accept(rest, from);
      }),
    );
    return router.lastEndpoint ?? address;
  }

  /** Fire and forget to a peer's inbox, by node id (or an explicit address for tools). */
  send<O extends OpCode>(to: string, op: O, body: Body<O>): void {
    this.peer(to).queue.offer(op, encodeFrame(op, body));
  }

  /**
   * Sends a request carrying a fresh `corr` and waits for the answer, at most `timeoutMs`; resolves
   * to the answer's body, and rejects an answer whose opcode is not the request's reply (REPLIES).
   */
  async request<O extends RequestOp>(to: string, op: O, body: Request<O>, timeoutMs: number): Promise<Reply<O>> {
    // resolve the peer first: an unknown one throws here, before a timer is armed whose rejection nobody awaits
    const { queue } = this.peer(to);
    const asked = opName(op) ?? String(op);
    const { corr, answer } = this.pending.open(to, asked, timeoutMs);
    const why = queue.offer(op, encodeFrame(op, { ...body, corr } as Body<O>));
    if (why) {
      this.pending.cancel(corr);
      throw new FrameError(why);
    }
    const frame = await answer;
    const expected = REPLIES[op];
    if (!isFrameOf(frame, expected)) throw new WrongReplyError(to, asked, opName(frame.op) ?? String(frame.op), opName(expected) ?? String(expected));
    return frame.body;
  }

  /** Answers a frame that arrived at our inbox, over the connection it came in on. */
  reply<O extends OpCode>(to: string, op: O, body: Body<O>): void {
    if (!this.inbox || !this.inboxQueue) throw new Error("reply before the inbox is bound");
    this.inboxQueue.offer(op, [Buffer.from(this.routes.get(to) ?? to, "latin1"), ...encodeFrame(op, body)]);
  }

  get dropped(): number {
    let n = this.inboxQueue?.dropped ?? 0;
    for (const p of this.peers.values()) n += p.queue.dropped;
    return n;
  }

  async close(): Promise<void> {
    this.pending.failAll(new Error(`${this.self} is shutting down`));
    this.inbox?.close();
    for (const { socket } of this.peers.values()) socket.close();
    this.peers.clear();
    await Promise.allSettled(this.loops);
    this.unlisten?.();
    this.unlisten = undefined;
  }

  private peer(to: string): { socket: zmq.Dealer; queue: SendQueue } {
    const known = this.peers.get(to);
    if (known) return known;
    const address = to.startsWith("tcp://") || to.startsWith("ipc://") ? to : this.addressOf(to);
    if (!address) throw new Error(`unknown peer ${to}: not in the config`);
    const socket = new zmq.Dealer({
      routingId: this.mesh ? this.mesh.routingIdFor(to) : this.self,
      ...this.mesh?.clientOptions(to),
      linger: LINGER_MS,
      sendTimeout: 0,
      reconnectInterval: 100,
      reconnectMaxInterval: 1000,
    });
    socket.connect(address);
    const entry = { socket, queue: new SendQueue(socket, this.log, to) };
    this.peers.set(to, entry);
    this.loops.push(receiveLoop(socket, (frames) => this.accept(frames, to)));
    return entry;
  }

  private refuse(from: string, op: string, why: string): void {
    this.refusedFrames++;
    const n = this.refusals.count(`${from} ${op}`);
    if (RepeatCounter.worthALine(n)) this.log.warn("frame-refused", { from, kind: this.senderOf?.(from), op, why, refused: n });
  }

  /** A peer without a key, or with one of another realm, fails the handshake: libzmq names no peer, so the count is per inbox and cause. */
  private logFailedHandshakes(router: zmq.Router, inbox: string): void {
    const failed = (e: { type: string; error: Error }): void => {
      const n = this.refusals.count(`${inbox} ${e.type}`);
      if (RepeatCounter.worthALine(n)) this.log.warn("peer-refused", { inbox, why: `CURVE handshake failed (${e.type}): ${e.error.message}`, refused: n });
    };
    router.events.on("handshake:error:protocol", failed);
    router.events.on("handshake:error:auth", failed);
    router.events.on("handshake:error:other", failed);
  }

  private accept(frames: Buffer[], from: string): void {
    let frame: Frame;
    try {
      frame = decodeFrame(frames);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.badFrames++;
      this.log.warn("frame-dropped", { from, why: err.message, bytes: frames.reduce((n, f) => n + f.length, 0) });
      return;
    }
    if (this.senderOf && !maySend(this.senderOf(from), frame.op)) {
      this.refuse(from, opName(frame.op) ?? String(frame.op), "sender kind may not send it");
      return;
    }
    if (this.pending.settle(frame)) return;
    try {
      this.handler(frame, from);
    } catch (err) {
      // a handler bug on one message must not stop the node from serving the rest
      this.log.error("handler-failed", { from, op: opName(frame.op), ...errorFields(err) });
    }
  }
}
