// A real node process shrugs off whatever arrives at its inbox: each bad frame from a peer the
// CURVE mesh admits is logged as `frame-dropped` with the reason and counted, raw TCP never gets a
// frame in, the node stays up, still answers PING, and still stops cleanly on SIGTERM.
import { connect, type Socket } from "node:net";
import msgpack from "msgpack-lite";
import t from "tap";
import * as zmq from "zeromq";
import { encodeFrame } from "../../common/codec.ts";
import { TimeoutError } from "../../common/errors.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import type { Heartbeat } from "../../common/protocol/control.ts";
import { meshIdentity, realmWire } from "../../common/mesh/realm-mesh.ts";
import { Wire } from "../../common/wire.ts";
import { NodeProcess, type LogLine } from "../harness/node-process.ts";
import { until } from "../harness/realm.ts";

const NODE = "FORTRAX-REALM";

/** `event`'s value, or false once `ms` have passed without it. */
async function within<T>(ms: number, event: Promise<T>): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}
const FLOOD = 5000;

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
};
const PING_HEAD = u16(Op.PING);

interface Case {
  name: string;
  /** Multipart messages to send from one DEALER. */
  messages: () => Buffer[][];
  why: RegExp;
  bytes?: number;
}

const CASES: Case[] = [
  { name: "garbage-single-frame", messages: () => [[Buffer.from("definitely not a frame")]], why: /^expected 2 frames \(opcode, body\), got 1$/, bytes: 22 },
  {
    name: "body-not-msgpack",
    // 0xc1 is the one byte msgpack never uses
    messages: () => [[PING_HEAD, Buffer.from([0xc1, 0x00, 0x01])]],
    why: /^PING body is not msgpack \(/,
  },
  { name: "wrong-types", messages: () => [[PING_HEAD, msgpack.encode({ corr: "x" })]], why: /^PING body: corr: expected an integer, got a string \("x"\)$/ },
  { name: "unknown-opcode", messages: () => [[u16(65000), msgpack.encode({ corr: 1 })]], why: /^unknown opcode 65000$/ },
  {
    name: "truncated-body",
    messages: () => [[PING_HEAD, msgpack.encode({ corr: 123_456_789 }).subarray(0, 4)]],
    why: /^PING body is not msgpack \(BUFFER_SHORTAGE\)$/,
  },
  {
    name: "ten-megabytes",
    messages: () => [[PING_HEAD, Buffer.alloc(10 << 20, 0x41)]],
    why: /^PING body of 10485760 bytes exceeds 1048576$/,
    bytes: 2 + (10 << 20),
  },
  { name: "three-frames", messages: () => [[...encodeFrame(Op.PING, { corr: 1 }), Buffer.from("extra")]], why: /^expected 2 frames \(opcode, body\), got 3$/ },
  {
    name: "flood",
    // a mix of the shapes above, 5000 of them back to back
    messages: () =>
      Array.from({ length: FLOOD }, (_, i) =>
        i % 3 === 0 ? [Buffer.from([i & 0xff])] : i % 3 === 1 ? [u16(60000 + (i % 5000)), Buffer.from([0x80])] : [PING_HEAD, Buffer.from([0xc1])],
      ),
    why: /^(expected 2 frames|unknown opcode \d+$|PING body is not msgpack)/,
  },
];

/** Not ZMTP/3 at all. libzmq takes a first byte other than 0xff for a ZMTP/1.0 peer and cuts this into frames. */
const HTTP_GARBAGE = Buffer.from("GET /inbox HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: garbage\r\nAccept: */*\r\n\r\n".repeat(8));
/** Not even ZMTP/1.0 framing: a zero length is a protocol error, so libzmq hangs up. */
const ZERO_GARBAGE = Buffer.alloc(300);

t.test("malformed frames - a realm node drops every bad frame, logs why, stays up and still stops gracefully", async (t) => {
  const heartbeats: Heartbeat[] = [];
  let reviver: Wire | undefined;
  const node = await NodeProcess.start(t, NODE, {
    // stand in for REVIVER-1's inbox: the node's heartbeats carry its badFrames count
    beforeLaunch: async (config) => {
      const r = config.revivers[0]!;
      reviver = new Wire(r.id, createLog(r.id, "error"), () => undefined, (frame) => {
        if (frame.op === Op.HEARTBEAT) heartbeats.push(frame.body);
      }, undefined, meshIdentity(config, r.id));
      t.teardown(() => reviver?.close());
      await reviver.bind(r.inbox);
    },
  });
  const inbox = node.spec.inbox;
  const port = Number(/:(\d+)$/.exec(inbox)?.[1]);

  const client = realmWire(node.config, `test-${process.pid}`, createLog(`test-${process.pid}`, "error"));
  const dealers: zmq.Dealer[] = [];
  const sockets: Socket[] = [];
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    for (const d of dealers) d.close();
    await client.close();
  });

  const answersPing = async (after: string): Promise<void> => {
    t.ok(node.alive(), `${NODE} (pid ${node.pid}) is alive after ${after}`);
    const answer = await client.request(NODE, Op.PING, {}, 1000);
    t.equal(answer.id, NODE, `${NODE} answers PING with PONG after ${after}`);
  };

  const started = Date.now();
  await until(`${NODE} answering PING`, 30_000, async () => {
    try {
      return await client.request(NODE, Op.PING, {}, 1000);
    } catch (err) {
      if (err instanceof TimeoutError) return undefined;
      throw err;
    }
  });
  t.comment(`${NODE} answered its first PING ${Date.now() - started} ms after launch`);
  await node.waitForLines("node-up", 5000, (l) => l.event === "node-up");

  const dropped = (from: string) => (l: LogLine) => l.event === "frame-dropped" && l.from === from;
  let badFrames = 0;
  for (const c of CASES) {
    const id = `${c.name}-${process.pid}`;
    // a peer the mesh admits (the operator's key, its id proven) that sends bad frames
    const mesh = meshIdentity(node.config, id)!;
    const dealer = new zmq.Dealer({ routingId: mesh.routingIdFor(NODE), linger: 0, ...mesh.clientOptions(NODE) });
    dealers.push(dealer);
    dealer.connect(inbox);
    const messages = c.messages();
    for (const m of messages) await dealer.send(m);
    badFrames += messages.length;

    const [line] = await node.waitForLines(`frame-dropped for ${c.name}`, 20_000, dropped(id));
    t.match(line?.why, c.why, `${c.name}: frame-dropped says why (${String(line?.why)})`);
    t.equal(line?.level, "warn", `${c.name}: logged as a warning`);
    if (c.bytes !== undefined) t.equal(line?.bytes, c.bytes, `${c.name}: the line gives the frame's size`);
    if (messages.length > 1) {
      // every frame of the flood reached the node and was counted as bad: none lost, none crashed it
      const hb = await until(`a heartbeat counting ${badFrames} bad frames`, 10_000, () => {
        const last = heartbeats.at(-1);
        return last && (last.vitals.badFrames ?? 0) >= badFrames ? last : undefined;
      });
      t.equal(hb.vitals.badFrames, badFrames, `${c.name}: the node counted all ${messages.length} bad frames`);
      const lines = node.lines().filter(dropped(id));
      t.ok(lines.every((l) => c.why.test(String(l.why))), `${c.name}: every frame-dropped line says why`);
      t.comment(`${c.name}: ${messages.length} frames, ${lines.length} frame-dropped lines`);
    }
    await answersPing(c.name);
    dealer.close();
  }

  // raw TCP, not ZMTP/3: on plain TCP libzmq would fall back to ZMTP/1.0 framing and hand the node
  // garbage frames; a CURVE inbox admits no ZMTP/1.0 peer, so nothing reaches the node at all
  const before = node.lines().filter((l) => l.event === "frame-dropped").length;
  const http = connect(port, "127.0.0.1");
  sockets.push(http);
  http.on("error", () => {});
  const httpClosed = new Promise<boolean>((resolve) => http.once("close", () => resolve(true)));
  http.resume();
  http.write(HTTP_GARBAGE);
  t.ok(await within(10_000, httpClosed), "raw TCP garbage: the node hangs up");
  await answersPing("raw TCP garbage");
  t.equal(node.lines().filter((l) => l.event === "frame-dropped").length, before, "raw TCP garbage: not one frame reached the node");

  // bytes that are not even ZMTP/1.0: no frame comes out of them, libzmq just hangs up
  const zeros = connect(port, "127.0.0.1");
  sockets.push(zeros);
  let reset = false;
  zeros.on("error", () => (reset = true));
  zeros.resume(); // read what libzmq sends (its greeting)
  // a FIN, or an RST when libzmq closes with our bytes still unread: "close" either way, never "end" alone
  const hungUp = new Promise<boolean>((resolve) => zeros.once("close", () => resolve(true)));
  zeros.write(ZERO_GARBAGE);
  t.ok(await within(10_000, hungUp), "the node hangs up on a connection that sends zero bytes");
  t.comment(`zero-byte connection closed by the node with ${reset ? "a reset" : "a FIN"}`);
  await answersPing("zero-byte TCP garbage");

  const exit = await node.signal("SIGTERM", 10_000);
  t.same(exit, { code: 0, signal: null }, "SIGTERM: the node exits with code 0");
  const [stopped] = await node.waitForLines("node-stopped", 1000, (l) => l.event === "node-stopped");
  t.equal(stopped?.reason, "SIGTERM", "and logs node-stopped, for SIGTERM");
  t.notOk(node.lines().some((l) => l.event === "fatal" || l.event === "handler-failed"), "no fatal or handler-failed line in the whole run");
});
