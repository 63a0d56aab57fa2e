// The process's ZAP handler (ZeroMQ RFC 27): libzmq asks it, during the CURVE handshake of every
// server socket (inboxes, zone PUBs), whether the client's long-term key may connect. zeromq.js
// has no authenticator of its own, so this is a ROUTER on the well-known inproc endpoint of the
// shared context. A key no registered allow-list knows is refused before any frame is read.
import * as zmq from "zeromq";
import type { Log } from "../log.ts";
import { RepeatCounter } from "./repeat-counter.ts";
import { z85Encode } from "./z85.ts";

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** Who holds a public key (Z85), or undefined for a stranger. */
type KeyLookup = (publicKey: string) => string | undefined;

interface Registration {
  lookup: KeyLookup;
  log: Log;
}

const registered = new Set<Registration>();
const refusals = new RepeatCounter();
let handler: { socket: zmq.Router; loop: Promise<void> } | undefined;
let binding: Promise<void> | undefined;

function holderOf(key: string): { id: string } | undefined {
  for (const r of registered) {
    const id = r.lookup(key);
    if (id !== undefined) return { id };
  }
  return undefined;
}

async function answer(socket: zmq.Router): Promise<void> {
  try {
    for await (const [route, delimiter, version, requestId, , address, , mechanism, credential] of socket) {
      if (!route || !delimiter || !version || !requestId) continue;
      const key = mechanism?.toString() === "CURVE" && credential?.length === 32 ? z85Encode(credential) : undefined;
      const holder = key === undefined ? undefined : holderOf(key);
      if (!holder) {
        const peer = key ?? `${mechanism?.toString() ?? "?"} mechanism`;
        const n = refusals.count(peer);
        // a stranger that keeps knocking must not flood the log: lines at 1, 2, 4, 8... per key
        const first = registered.values().next().value;
        if (RepeatCounter.worthALine(n)) first?.log.warn("peer-refused", { address: address?.toString(), key: peer, why: "key not in the realm's allow-list", refused: n });
      }
      await socket.send([route, delimiter, version, requestId, holder ? "200" : "400", holder ? "OK" : "key not allowed", holder?.id ?? "", ""]);
    }
  } catch (err) {
    if (!socket.closed) throw err;
  }
}

/**
 * Adds an allow-list to this process's handler, binding it on first use; returns its removal,
 * which closes the handler with the last one (a bound socket would keep a CLI process alive).
 */
export async function registerKeys(lookup: KeyLookup, log: Log): Promise<() => void> {
  const registration = { lookup, log };
  registered.add(registration);
  binding ??= (async () => {
    const socket = new zmq.Router({ linger: 0 });
    await socket.bind(ZAP_ENDPOINT);
    handler = { socket, loop: answer(socket) };
  })();
  await binding;
  return () => {
    registered.delete(registration);
    if (registered.size > 0 || !handler) return;
    handler.socket.close();
    handler = undefined;
    binding = undefined;
  };
}
