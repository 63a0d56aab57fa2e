// A player's messages go out as whole frames in one socket write (nodes/client/ws-frames.ts): a
// real ws client reads each as the same message, at every header size (7-bit, 16-bit and 64-bit
// lengths), in order with what ws.send sends on the same socket.
import { randomBytes } from "node:crypto";
import t from "tap";
import { WebSocket, WebSocketServer } from "ws";
import { binaryFrame, headerBytes, sendBinary } from "../../nodes/client/ws-frames.ts";

t.test("ws frames - one framed write per message, read back whole and in order by a ws client", async (t) => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const { port } = wss.address() as { port: number };
  const serverSide = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  t.teardown(() => client.terminate());
  const received: Buffer[] = [];
  client.on("message", (data: Buffer) => received.push(data));
  await new Promise((resolve) => client.once("open", resolve));
  const ws = await serverSide;

  const lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
  const sent: Buffer[] = [];
  for (const n of lengths) {
    // a writer's buffer with bytes past the message, as the fanout's: only [0, n) is sent
    const bytes = Buffer.concat([randomBytes(n), Buffer.from("tail")]);
    const wire = sendBinary(ws, bytes, 0, n);
    t.equal(wire, n + headerBytes(n), `${n} bytes: ${headerBytes(n)} header bytes on the wire`);
    sent.push(bytes.subarray(0, n));
    // ws.send on the same socket in between keeps its place
    const between = randomBytes(3);
    ws.send(between, { binary: true });
    sent.push(between);
  }
  await new Promise<void>((resolve) => {
    const check = (): void => void (received.length >= sent.length ? resolve() : setTimeout(check, 10));
    check();
  });
  t.equal(received.length, sent.length, "one message per frame");
  t.ok(received.every((r, i) => r.equals(sent[i]!)), "each message arrives whole and in order");

  t.same([...binaryFrame(Buffer.from([1, 2, 3]), 1, 3)], [0x82, 2, 2, 3], "a short frame: FIN + binary, 7-bit length, the payload");
  const long = binaryFrame(Buffer.alloc(70_000), 0, 70_000);
  t.same([long[1], long.readUInt32BE(2), long.readUInt32BE(6)], [127, 0, 70_000], "a long one: a 64-bit length");
});
