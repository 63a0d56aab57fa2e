// A player's messages written as whole WebSocket frames, header and payload in one buffer and one
// socket write. ws.send frames a message as two writes (header, then payload) corked into one
// writev; at thousands of players a tick, that second write's stream bookkeeping is a share of
// the client node's tick the client bench measures (bare ws.send beside one framed write). Server
// frames are never masked (RFC 6455 5.1): no masking, so no bufferutil, on this path.
import type { Socket } from "node:net";
import type { WebSocket } from "ws";

/** Header bytes of an unmasked frame carrying `n` payload bytes. */
export function headerBytes(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/** `bytes[from, to)` as one final, unmasked, binary WebSocket frame, in a buffer of its own. */
export function binaryFrame(bytes: Uint8Array, from: number, to: number): Buffer {
  const n = to - from;
  const h = headerBytes(n);
  const out = Buffer.allocUnsafe(h + n);
  out[0] = 0x82; // FIN + binary
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.set(bytes.subarray(from, to), h);
  return out;
}

/**
 * Sends `bytes[from, to)` as one binary message on an open WebSocket; returns the bytes put on the
 * wire. Writing on ws's socket directly is safe here because ws queues a frame of its own only
 * while compressing or reading a Blob, and the players' server has compression off and sends no
 * Blobs: every frame is written whole, in order, and counts in `bufferedAmount`.
 */
export function sendBinary(ws: WebSocket, bytes: Uint8Array, from: number, to: number): number {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket === undefined || socket.destroyed) {
    ws.send(bytes.subarray(from, to), { binary: true });
    return to - from + headerBytes(to - from);
  }
  const frame = binaryFrame(bytes, from, to);
  socket.write(frame);
  return frame.length;
}
