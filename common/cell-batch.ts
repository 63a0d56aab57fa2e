// One tick of a zone (or instance) node for one batch subscriber: every cell block it asked for,
// in one message (see batchTopic in world-address.ts). Each block is encoded once per tick by
// the zone and copied into the batch of every client node that wants it.
//
// Body: entries of [copy u32][cx u32][cy u32][length u32], then `length` bytes of cell block. Cell
// coordinates take 32 bits: realms.yaml does not bound a world's cells per side.

/** Bytes an entry adds to its block. */
export const ENTRY_HEADER = 16;

export interface BatchEntry {
  copy: number;
  cx: number;
  cy: number;
  block: Buffer;
}

export function batchBytes(entries: readonly BatchEntry[]): number {
  let n = 0;
  for (const e of entries) n += ENTRY_HEADER + e.block.length;
  return n;
}

export function writeBatch(entries: readonly BatchEntry[]): Buffer {
  const out = Buffer.allocUnsafe(batchBytes(entries));
  let at = 0;
  for (const e of entries) {
    out.writeUInt32LE(e.copy, at);
    out.writeUInt32LE(e.cx, at + 4);
    out.writeUInt32LE(e.cy, at + 8);
    out.writeUInt32LE(e.block.length, at + 12);
    e.block.copy(out, at + ENTRY_HEADER);
    at += ENTRY_HEADER + e.block.length;
  }
  return out;
}

/**
 * Calls `each` for every entry, the block a view into `body` (no copy). Returns the entries read,
 * or -1 if the body is cut short or overruns: the entries before the fault have been delivered.
 */
export function readBatch(body: Buffer, each: (copy: number, cx: number, cy: number, block: Buffer) => void): number {
  let at = 0;
  let n = 0;
  while (at < body.length) {
    if (at + ENTRY_HEADER > body.length) return -1;
    const length = body.readUInt32LE(at + 12);
    const end = at + ENTRY_HEADER + length;
    if (end > body.length) return -1;
    each(body.readUInt32LE(at), body.readUInt32LE(at + 4), body.readUInt32LE(at + 8), body.subarray(at + ENTRY_HEADER, end));
    at = end;
    n++;
  }
  return n;
}
