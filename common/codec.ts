// Node-to-node frames: ZeroMQ multipart [opcode (uint16 BE), msgpack-lite body].
// Decoding checks everything a peer could get wrong and throws FrameError; callers log and drop.
import msgpack from "msgpack-lite";
import { FrameError } from "./errors.ts";
import { opName, type OpCode } from "./opcodes.ts";
import { BODIES, type Body } from "./protocol/index.ts";
import { SchemaError } from "./schema.ts";

/** Bodies above this are refused: no control message is near it, so a bigger one is a bug or an attack. */
export const MAX_BODY_BYTES = 1 << 20;

/** A frame of one of the opcodes `O`: a union over them, so a check of `op` narrows `body`. */
export type Frame<O extends OpCode = OpCode> = { [K in O]: { op: K; body: Body<K> } }[O];

export function encodeFrame<O extends OpCode>(op: O, body: Body<O>): [Buffer, Buffer] {
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(op, 0);
  return [head, msgpack.encode(body)];
}

export function decodeFrame(frames: readonly Buffer[]): Frame {
  if (frames.length !== 2) throw new FrameError(`expected 2 frames (opcode, body), got ${frames.length}`);
  const [head, payload] = frames as [Buffer, Buffer];
  if (head.length !== 2) throw new FrameError(`opcode frame must be 2 bytes, got ${head.length}`);
  const code = head.readUInt16BE(0);
  const name = opName(code);
  if (name === undefined) throw new FrameError(`unknown opcode ${code}`);
  if (payload.length > MAX_BODY_BYTES) throw new FrameError(`${name} body of ${payload.length} bytes exceeds ${MAX_BODY_BYTES}`);
  let raw: unknown;
  try {
    raw = msgpack.decode(payload);
  } catch (err) {
    throw new FrameError(`${name} body is not msgpack (${(err as Error).message})`);
  }
  const op = code as OpCode;
  try {
    return { op, body: BODIES[op].parse(raw) } as Frame;
  } catch (err) {
    if (err instanceof SchemaError) throw new FrameError(`${name} body: ${err.message}`);
    throw err;
  }
}
