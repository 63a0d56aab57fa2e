// Moves, the intent every player sends 20 times a second, go from a client node to a zone as
// fixed binary records beside the other intents' msgpack maps: encoding and checking one map per
// move was a sixth of a client node's work and as much of a zone's.
//
// Record: [entity u32][seq u32][x f64][y f64][heading f32, NaN: none]
import { SchemaError } from "./schema.ts";
import type { IntentOf } from "./protocol/zone.ts";

export const MOVE_BYTES = 28;
export const MAX_MOVES = 20_000;
const COORD_MAX = 1e6;
const HEADING_MAX = 10;
/** Where x and y sit in a record. */
const COORDS = [["x", 8], ["y", 16]] as const;

export type Move = IntentOf<"move">;

/** The moves of one batch toward one node, written as they come. */
export class MoveBatch {
  private buf = Buffer.allocUnsafe(64 * MOVE_BYTES);
  private pos = 0;

  get size(): number {
    return this.pos / MOVE_BYTES;
  }

  add(entity: number, seq: number, x: number, y: number, heading: number | undefined): void {
    if (this.pos + MOVE_BYTES > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const b = this.buf;
    const at = this.pos;
    b.writeUInt32LE(entity, at);
    b.writeUInt32LE(seq, at + 4);
    b.writeDoubleLE(x, at + 8);
    b.writeDoubleLE(y, at + 16);
    b.writeFloatLE(heading ?? Number.NaN, at + 24);
    this.pos += MOVE_BYTES;
  }

  /** The records so far (a copy), and an empty batch again. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Checks every record as the schemas check a move map: a bad one refuses the whole frame. */
export function checkMoves(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length % MOVE_BYTES !== 0) throw new SchemaError(path, `must be whole ${MOVE_BYTES}-byte moves, got ${bytes.length} bytes`);
  const b = view(bytes);
  // runs for every move a zone receives: the path is built only for a refusal
  const where = (at: number, key: string): string => `${path}[${at / MOVE_BYTES}].${key}`;
  for (let at = 0; at < b.length; at += MOVE_BYTES) {
    if (b.readUInt32LE(at) === 0) throw new SchemaError(where(at, "entity"), "must be at least 1");
    for (const [key, off] of COORDS) {
      const v = b.readDoubleLE(at + off);
      if (!(Math.abs(v) <= COORD_MAX)) throw new SchemaError(where(at, key), `must be a number from -${COORD_MAX} to ${COORD_MAX}, got ${v}`);
    }
    const heading = b.readFloatLE(at + 24);
    if (!Number.isNaN(heading) && !(Math.abs(heading) <= HEADING_MAX)) throw new SchemaError(where(at, "heading"), `must be a number from -${HEADING_MAX} to ${HEADING_MAX}, got ${heading}`);
  }
  return bytes;
}

/** The moves of checked records, as intents, in their order. */
export function readMoves(bytes: Uint8Array): Move[] {
  const b = view(bytes);
  const out: Move[] = [];
  for (let at = 0; at < b.length; at += MOVE_BYTES) {
    const m: Move = { kind: "move", entity: b.readUInt32LE(at), seq: b.readUInt32LE(at + 4), x: b.readDoubleLE(at + 8), y: b.readDoubleLE(at + 16) };
    const heading = b.readFloatLE(at + 24);
    if (!Number.isNaN(heading)) m.heading = heading;
    out.push(m);
  }
  return out;
}
