// What CURVE costs on the transport: echo round trips over a bare ROUTER/DEALER pair on loopback,
// plain and with CURVE (keys checked by a ZAP handler, as a node would), in the same run.
// Bare sockets, not the Wire: the Wire does not speak CURVE yet (issue 13), so this is the floor.
import * as zmq from "zeromq";

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** Answers ZAP (RFC 27) requests: 200 for the one client key it knows, 400 for any other. */
async function zapHandler(allowed: string): Promise<zmq.Router> {
  const zap = new zmq.Router({ linger: 0 });
  await zap.bind(ZAP_ENDPOINT);
  void (async () => {
    try {
      for await (const [route, delimiter, version, requestId, , , , mechanism, key] of zap) {
        if (!route || !delimiter || !version || !requestId) continue;
        const ok = mechanism?.toString() === "CURVE" && key !== undefined && z85(key) === allowed;
        await zap.send([route, delimiter, version, requestId, ok ? "200" : "400", ok ? "OK" : "key not allowed", ok ? "BENCH-CLIENT" : "", ""]);
      }
    } catch (err) {
      if (!zap.closed) throw err;
    }
  })();
  return zap;
}

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Z85 (ZeroMQ RFC 32) of a 32-byte key, the form zmq.curveKeyPair() hands out. */
function z85(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let value = bytes.readUInt32BE(i);
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(Z85[value % 85]!);
      value = Math.floor(value / 85);
    }
    out += chunk.join("");
  }
  return out;
}

/** Echo round trips per second with `concurrency` in flight, over `ms`. */
export async function bareRoundTrips(ms: number, concurrency: number, curve: boolean): Promise<number> {
  const serverKeys = zmq.curveKeyPair();
  const clientKeys = zmq.curveKeyPair();
  const zap = curve ? await zapHandler(clientKeys.publicKey) : undefined;
  const server = new zmq.Router({ linger: 0, ...(curve ? { curveServer: true, curveSecretKey: serverKeys.secretKey } : {}) });
  await server.bind("tcp://127.0.0.1:*");
  const client = new zmq.Dealer({
    linger: 0,
    ...(curve ? { curveServerKey: serverKeys.publicKey, curvePublicKey: clientKeys.publicKey, curveSecretKey: clientKeys.secretKey } : {}),
  });
  client.connect(server.lastEndpoint!);
  void (async () => {
    try {
      for await (const [route, payload] of server) if (route && payload) await server.send([route, payload]);
    } catch (err) {
      if (!server.closed) throw err;
    }
  })();
  // a 200-byte payload, about a heartbeat frame
  const payload = Buffer.alloc(200, 7);
  const waiting: (() => void)[] = [];
  void (async () => {
    try {
      for await (const _ of client) waiting.shift()?.();
    } catch (err) {
      if (!client.closed) throw err;
    }
  })();
  // one send in flight per socket (zeromq.js): sends are chained, answers matched in order
  let sending = Promise.resolve();
  const trip = (): Promise<void> =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      sending = sending.then(() => client.send(payload));
    });
  await trip();
  let done = 0;
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await trip();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const perSecond = (done * 1000) / (performance.now() - start);
  client.close();
  server.close();
  zap?.close();
  return perSecond;
}
