// The channel between nodes, two Wires in one process on ports chosen at run time.
import t from "tap";
import * as zmq from "zeromq";
import { decodeFrame, encodeFrame, type Frame } from "../../common/codec.ts";
import { TimeoutError } from "../../common/errors.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { Wire, type Handler } from "../../common/wire.ts";
import { freePorts } from "../harness/free-ports.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

interface Pair {
  a: Wire;
  b: Wire;
  addressA: string;
  addressB: string;
}

/** Wires "A" and "B", each bound on its own free port and knowing the other by id. */
async function pair(t: Teardown, handlerA: Handler, handlerB: Handler = () => {}): Promise<Pair> {
  const [portA, portB] = await freePorts(2);
  const addressA = `tcp://127.0.0.1:${portA}`;
  const addressB = `tcp://127.0.0.1:${portB}`;
  const book = (id: string): string | undefined => ({ A: addressA, B: addressB })[id];
  const a = new Wire("A", createLog("A", "error"), book, handlerA);
  const b = new Wire("B", createLog("B", "error"), book, handlerB);
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  await a.bind(addressA);
  await b.bind(addressB);
  return { a, b, addressA, addressB };
}

/** `event`'s value, or throws once `ms` have passed without it. */
async function within<T>(ms: number, what: string, event: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A handler that answers every PING with a PONG carrying the PING's corr. */
const ponger =
  (self: () => Wire, id: string): Handler =>
  (frame, from) => {
    if (frame.op === Op.PING) self().reply(from, Op.PONG, { corr: frame.body.corr, id, uptimeMs: 1 });
  };

t.test("wire - send delivers the typed body to the peer's handler, with the sender's id", async (t) => {
  let arrived: (x: { frame: Frame; from: string }) => void = () => {};
  const got = new Promise<{ frame: Frame; from: string }>((resolve) => (arrived = resolve));
  const { b } = await pair(t, (frame, from) => arrived({ frame, from }));
  const body: Body<typeof Op.HEARTBEAT> = {
    id: "B",
    kind: "zone",
    realm: "Fortrax",
    pid: process.pid,
    seq: 3,
    startedAt: 1_700_000_000_000.5,
    uptimeMs: 12.25,
    rssBytes: 50 << 20,
    heapUsedBytes: 20 << 20,
    vitals: { tickP99Ms: 3.5, players: 0 },
  };
  b.send("A", Op.HEARTBEAT, body);
  const { frame, from } = await within(5000, "HEARTBEAT at A", got);
  t.equal(frame.op, Op.HEARTBEAT);
  t.same(frame.body, body, "the body arrives as sent");
  t.equal(from, "B", "from is the sender's node id");
});

t.test("wire - a request gets the reply that carries its corr", async (t) => {
  const seen: number[] = [];
  let a: Wire | undefined;
  const p = await pair(t, (frame, from) => {
    if (frame.op !== Op.PING) return;
    const { corr } = frame.body;
    seen.push(corr);
    // an answer for somebody else's corr first: it must not settle this request
    a!.reply(from, Op.PONG, { corr: corr + 1000, id: "A", uptimeMs: 0 });
    a!.reply(from, Op.PONG, { corr, id: "A", uptimeMs: 42 });
  });
  a = p.a;
  const answer = await p.b.request("A", Op.PING, {}, 2000);
  t.equal(seen.length, 1, "A saw one PING");
  t.same(answer, { corr: seen[0], id: "A", uptimeMs: 42 }, "the PONG with the PING's own corr settles the request, as its body");
});

t.test("wire - an answer of another opcode than the request's reply rejects it, naming both", async (t) => {
  let a: Wire | undefined;
  const p = await pair(t, (frame, from) => {
    if (frame.op === Op.PING) a!.reply(from, Op.REALM_CLOSE_PLAYERS_REPLY, { corr: frame.body.corr, closed: 0 });
  });
  a = p.a;
  await t.rejects(p.b.request("A", Op.PING, {}, 2000), { name: "WrongReplyError", peer: "A", message: "A answered PING with REALM_CLOSE_PLAYERS_REPLY, not PONG" });
});

t.test("wire - a request to a peer that never answers rejects with TimeoutError after its timeout", async (t) => {
  let pings = 0;
  const { b } = await pair(t, (frame) => {
    if (frame.op === Op.PING) pings++;
  });
  const start = performance.now();
  const err = await b.request("A", Op.PING, {}, 300).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - start;
  t.type(err, TimeoutError);
  t.match(err, { name: "TimeoutError", peer: "A", what: "PING", ms: 300, message: /A did not answer PING within 300 ms/ });
  t.ok(ms >= 295, `not before its timeout (${ms.toFixed(0)} ms)`);
  t.ok(ms < 1300, `not long after it (${ms.toFixed(0)} ms)`);
  t.equal(pings, 1, "the PING did reach A, which stayed silent");
});

t.test("wire - many concurrent requests each resolve to their own answer, whatever the reply order", async (t) => {
  const N = 500;
  const arrivals: { corr: number; from: string }[] = [];
  let a: Wire | undefined;
  let all: () => void = () => {};
  const allArrived = new Promise<void>((resolve) => (all = resolve));
  const p = await pair(t, (frame, from) => {
    if (frame.op !== Op.PING) return;
    arrivals.push({ corr: frame.body.corr, from });
    if (arrivals.length === N) all();
  });
  a = p.a;
  // one connection delivers in order, so request i is arrival i; the answer says which arrival it was
  const answers = Array.from({ length: N }, () => p.b.request("A", Op.PING, {}, 10_000));
  await within(10_000, `${N} PINGs at A`, allArrived);
  for (let k = N - 1; k >= 0; k--) {
    const { corr, from } = arrivals[k]!;
    a.reply(from, Op.PONG, { corr, id: "A", uptimeMs: k });
  }
  const pongs = await Promise.all(answers);
  const wrong = pongs.filter((pong, i) => pong.uptimeMs !== i).length;
  t.equal(wrong, 0, `all ${N} requests got their own answer, replied in reverse order`);
  t.equal(new Set(arrivals.map((x) => x.corr)).size, N, "every request carried its own corr");
});

t.test("wire - bind on an address in use throws an error naming the address", async (t) => {
  const { addressA } = await pair(t, () => {});
  const c = new Wire("C", createLog("C", "error"), () => undefined, () => {});
  t.teardown(() => c.close());
  const err = await c.bind(addressA).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, Error);
  t.match((err as Error).message, `cannot bind inbox ${addressA}`, "the message names the address");
  t.match((err as Error).message, /in use/i, "and the reason");
});

t.test("wire - close() rejects the requests still waiting, at once", async (t) => {
  const { b } = await pair(t, () => {});
  const waiting = b.request("A", Op.PING, {}, 30_000);
  const outcome = waiting.then(
    () => "resolved",
    (e: unknown) => e,
  );
  const start = performance.now();
  await b.close();
  const err = await within(2000, "rejection", outcome);
  t.type(err, Error);
  t.notOk(err instanceof TimeoutError, "rejected by the close, not by its timeout");
  t.match(err, { message: /B is shutting down/ });
  t.ok(performance.now() - start < 2000, "without waiting for the 30 s timeout");
});

t.test("wire - a request to a peer not in the config rejects at once and arms no timer", async (t) => {
  const { b } = await pair(t, () => {});
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.teardown(() => void process.off("unhandledRejection", onUnhandled));
  await t.rejects(b.request("NOBODY", Op.PING, {}, 50), /unknown peer NOBODY/);
  // the only way to see a stray timer is to outlive it: several times its 50 ms timeout
  await new Promise((r) => setTimeout(r, 300));
  t.same(unhandled, [], "no TimeoutError surfaces later, unawaited");
});

t.test("wire - a peer without a routing id (libzmq gives it a binary one) still gets its answer", async (t) => {
  let a: Wire | undefined;
  const froms: string[] = [];
  const p = await pair(t, (frame, from) => {
    froms.push(from);
    ponger(() => a!, "A")(frame, from);
  });
  a = p.a;
  // several anonymous peers: each gets a fresh 5-byte id, 0x00 then a counter, usually not valid UTF-8
  for (let i = 0; i < 4; i++) {
    const dealer = new zmq.Dealer({ linger: 0 });
    t.teardown(() => dealer.close());
    dealer.connect(p.addressA);
    await dealer.send(encodeFrame(Op.PING, { corr: 7 + i }));
    const answer = decodeFrame(await within(3000, `PONG for anonymous peer ${i}`, dealer.receive()));
    t.same(answer, { op: Op.PONG, body: { corr: 7 + i, id: "A", uptimeMs: 1 } }, `anonymous peer ${i} got its PONG`);
  }
  t.ok(
    froms.every((f) => f.length === 5 && f.charCodeAt(0) === 0),
    `the handler saw each raw 5-byte id (${froms.map((f) => Buffer.from(f, "latin1").toString("hex")).join(", ")})`,
  );
});

t.test("wire - a peer answering past 64 MB does not cut this node off from it: that answer is dropped, the next one settles the request", async (t) => {
  // the peer "A" is a bare ROUTER, so it can answer what no Wire would send
  const [port] = await freePorts(1);
  const addressA = `tcp://127.0.0.1:${port}`;
  const router = new zmq.Router({ linger: 0 });
  t.teardown(() => router.close());
  await router.bind(addressA);
  const b = new Wire("B", createLog("B", "error"), (id) => (id === "A" ? addressA : undefined), () => {});
  t.teardown(() => b.close());
  const answering = (async () => {
    let oversized = true;
    for await (const [id, head, body] of router) {
      const ping = decodeFrame([head!, body!]);
      if (ping.op !== Op.PING) continue;
      const [pongHead, pong] = encodeFrame(Op.PONG, { corr: ping.body.corr, id: "A", uptimeMs: 5 });
      // the first answer first comes once more, 64 MB + 1 of it
      if (oversized) await router.send([id!, pongHead, Buffer.alloc((64 << 20) + 1, 0x41)]);
      oversized = false;
      await router.send([id!, pongHead, pong]);
    }
  })();
  t.same(await b.request("A", Op.PING, {}, 5000), { corr: 1, id: "A", uptimeMs: 5 }, "the answer after the oversized one settles the request");
  t.same(await b.request("A", Op.PING, {}, 5000), { corr: 2, id: "A", uptimeMs: 5 }, "and the peer is still reachable");
  t.equal(b.badFrames, 1, "the oversized answer was dropped as a bad frame");
  router.close();
  await answering.catch(() => {});
});

t.test("wire - a body past what the peer accepts is dropped at the sender, which says so; a request with one rejects at once", async (t) => {
  const got: Frame[] = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((resolve) => (arrived = resolve));
  const { b } = await pair(t, (frame) => {
    got.push(frame);
    arrived();
  });
  const heartbeat = (vitals: Record<string, number>): Body<typeof Op.HEARTBEAT> => ({
    id: "B",
    kind: "zone",
    realm: "Fortrax",
    pid: process.pid,
    seq: 1,
    startedAt: 1_700_000_000_000,
    uptimeMs: 1,
    rssBytes: 1,
    heapUsedBytes: 1,
    vitals,
  });
  // about 2 MB of msgpack: twice the 1 MB the receiving codec takes
  const huge = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`v${i}`, i]));
  b.send("A", Op.HEARTBEAT, heartbeat(huge));
  // one connection keeps order: had the big one gone out, it would have reached A first
  b.send("A", Op.HEARTBEAT, heartbeat({ players: 3 }));
  await within(5000, "the small HEARTBEAT at A", first);
  t.same(got.map((f) => (f.op === Op.HEARTBEAT ? f.body.vitals : undefined)), [{ players: 3 }], "only the small one arrived: the big one never left B");
  t.equal(b.dropped, 1, "B counts the one it dropped");
  const start = performance.now();
  await t.rejects(b.request("A", Op.CHAR_LIST, { accountId: "x".repeat(2 << 20) }, 5000), { name: "FrameError", message: /^CHAR_LIST body of \d+ bytes exceeds 1048576, which the peer refuses$/ });
  t.ok(performance.now() - start < 1000, "the request rejects at once, not at its timeout");
});
