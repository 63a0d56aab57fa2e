// The CURVE mesh between Wires in one process, on real ZeroMQ sockets and ports chosen at run
// time: keys as libzmq makes them, a ZAP handler that admits only listed keys, and node ids that
// must be proven with their own key.
import t from "tap";
import * as zmq from "zeromq";
import type { Frame } from "../../common/codec.ts";
import type { Fields, Log } from "../../common/log.ts";
import { keyBook, MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import { keyPairOf, newKeyPair, type KeyPair } from "../../common/mesh/mesh-keys.ts";
import { z85Decode, z85Encode } from "../../common/mesh/z85.ts";
import { Op } from "../../common/opcodes.ts";
import { Wire } from "../../common/wire.ts";
import { until } from "../harness/realm.ts";
import { freePorts } from "../harness/free-ports.ts";

/** A log that keeps its lines, for the refusals the tests look for. */
function keptLog(node: string): Log & { lines: (Fields & { event: string })[] } {
  const lines: (Fields & { event: string })[] = [];
  const keep = (event: string, fields?: Fields): void => void lines.push({ event, ...fields });
  return { node, lines, debug: keep, info: keep, warn: keep, error: keep };
}

t.test("curve mesh - Z85 and the key pairs agree with libzmq", async (t) => {
  const fromZmq = zmq.curveKeyPair();
  t.equal(z85Encode(z85Decode(fromZmq.publicKey)), fromZmq.publicKey, "Z85 round trip of a libzmq key");
  t.same(keyPairOf(fromZmq.secretKey), fromZmq, "the public key derived from libzmq's secret is libzmq's");
  t.same(z85Encode(Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), "HelloWorld", "RFC 32's test vector");
  t.throws(() => z85Decode("abc"), /multiple of 5/);
  t.throws(() => z85Decode("abc~e"), /not a Z85 character/);
  const mine = newKeyPair();
  t.equal(mine.publicKey.length, 40);
  t.not(mine.secretKey, mine.publicKey);
});

interface Mesh {
  pairs: Record<"SERVER" | "CLIENT" | "OTHER", KeyPair>;
  server: Wire;
  serverLog: ReturnType<typeof keptLog>;
  address: string;
  received: { frame: Frame; from: string }[];
}

/** A CURVE inbox "SERVER" that knows the keys of SERVER, CLIENT and OTHER, and answers PINGs. */
async function mesh(t: { teardown(fn: () => Promise<void> | void): void }): Promise<Mesh> {
  const pairs = { SERVER: newKeyPair(), CLIENT: newKeyPair(), OTHER: newKeyPair() };
  const [port] = await freePorts(1);
  const address = `tcp://127.0.0.1:${port}`;
  const serverLog = keptLog("SERVER");
  const received: { frame: Frame; from: string }[] = [];
  const server: Wire = new Wire("SERVER", serverLog, () => undefined, (frame, from) => {
    received.push({ frame, from });
    if (frame.op === Op.PING) server.reply(from, Op.PONG, { corr: frame.body.corr, id: "SERVER", uptimeMs: 1 });
  }, undefined, new MeshIdentity("SERVER", pairs.SERVER, keyBook(pairs)));
  await server.bind(address);
  t.teardown(() => server.close());
  return { pairs, server, serverLog, address, received };
}

/** A client wire to SERVER speaking as `id` with `pair` (undefined: no CURVE at all). */
function client(t: { teardown(fn: () => Promise<void> | void): void }, m: Mesh, id: string, pair: KeyPair | undefined): Wire {
  const wire = new Wire(id, keptLog(id), () => m.address, () => {}, undefined, pair && new MeshIdentity(id, pair, keyBook({ ...m.pairs, [id]: pair })));
  t.teardown(() => wire.close());
  return wire;
}

t.test("curve mesh - a listed key gets answers, and the server sees the proven node id", async (t) => {
  const m = await mesh(t);
  const wire = client(t, m, "CLIENT", m.pairs.CLIENT);
  const answer = await wire.request("SERVER", Op.PING, {}, 3000);
  t.equal(answer.id, "SERVER", "answered over CURVE");
  t.equal(m.received[0]?.from, "CLIENT", "the handler sees the node id, not the routing id with its proof");
});

t.test("curve mesh - strangers are refused at the handshake, logged, and the inbox serves on", async (t) => {
  const m = await mesh(t);
  const plain = client(t, m, "CLIENT", undefined);
  await t.rejects(plain.request("SERVER", Op.PING, {}, 800), { name: "TimeoutError" }, "no key: never answered");
  const stranger = newKeyPair();
  const unlisted = new Wire("CLIENT", keptLog("x"), () => m.address, () => {}, undefined, new MeshIdentity("CLIENT", stranger, keyBook({ ...m.pairs, CLIENT: stranger })));
  t.teardown(() => unlisted.close());
  await t.rejects(unlisted.request("SERVER", Op.PING, {}, 800), { name: "TimeoutError" }, "a key not in the allow-list: never answered");
  t.equal(m.received.length, 0, "nothing reached the handler");
  const refusedKey = await until("the unlisted key's refusal", 3000, () => m.serverLog.lines.find((l) => l.event === "peer-refused" && l.key === stranger.publicKey));
  t.match(refusedKey, { why: /allow-list/ }, "the ZAP refusal names the key");
  await until("the keyless handshake's refusal", 3000, () => m.serverLog.lines.find((l) => l.event === "peer-refused" && typeof l.why === "string" && /handshake/.test(l.why)));
  const honest = client(t, m, "OTHER", m.pairs.OTHER);
  t.equal((await honest.request("SERVER", Op.PING, {}, 3000)).id, "SERVER", "a listed peer is still answered");
});

t.test("curve mesh - a listed key cannot speak as another node id", async (t) => {
  const m = await mesh(t);
  // OTHER's key, claiming CLIENT: its routing id carries a proof made with the wrong secret
  const forger = new Wire("CLIENT", keptLog("forger"), () => m.address, () => {}, undefined, new MeshIdentity("CLIENT", m.pairs.OTHER, keyBook(m.pairs)));
  t.teardown(() => forger.close());
  for (let i = 0; i < 3; i++) forger.send("SERVER", Op.PING, { corr: i });
  await t.rejects(forger.request("SERVER", Op.PING, {}, 800), { name: "TimeoutError" });
  t.equal(m.received.length, 0, "no forged frame reached the handler");
  const lines = m.serverLog.lines.filter((l) => l.event === "frame-refused");
  t.ok(lines.length >= 1 && lines.length <= 3, `refusals logged at powers of two, not once per frame (${lines.length} lines for 4 frames)`);
  t.match(lines[0], { why: /does not prove/ });
  t.equal(lines[0]?.from, "CLIENT", "the line names the claimed id, and never writes down a proof");
  t.equal(m.server.refusedFrames, 4, "every forged frame counted");
});
