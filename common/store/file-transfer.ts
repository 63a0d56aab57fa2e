// Whole database files between the database and backup nodes (a replica starting over, a
// restore), in chunks that fit a frame, checked end to end with SHA-256. The nodes may sit on
// different machines, so nothing here assumes a shared disk.
import { createHash, randomUUID } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, rmSync, writeSync } from "node:fs";
import type { FileOffer } from "../protocol/db.ts";

/** Under the 1 MiB frame cap with room for the envelope. */
const CHUNK_BYTES = 512 * 1024;
/** An offered file nobody asked for in this long is withdrawn (and a temporary copy removed). */
const IDLE_MS = 120_000;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

interface Offered {
  path: string;
  offer: FileOffer;
  temporary: boolean;
  lastUsed: number;
  served: number;
}

export class FileServer {
  private readonly files = new Map<string, Offered>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 10_000);
    this.sweeper.unref();
  }

  /** Offers `path`; a temporary file is removed once fully served or idle. */
  offer(path: string, info: Omit<FileOffer, "fileId">, temporary: boolean): FileOffer {
    const offer: FileOffer = { fileId: randomUUID(), ...info };
    this.files.set(offer.fileId, { path, offer, temporary, lastUsed: Date.now(), served: 0 });
    return offer;
  }

  /** How far the fetcher of the newest offer has got, 0..100 (for progress lines). */
  progressOfLatest(): number | undefined {
    const ids = [...this.files.keys()];
    const last = ids[ids.length - 1];
    return last === undefined ? undefined : this.progress(last);
  }

  /** How far the fetcher has got, 0..100 (for progress lines). */
  progress(fileId: string): number | undefined {
    const f = this.files.get(fileId);
    return f ? Math.min(100, (100 * f.served) / Math.max(1, f.offer.bytes)) : undefined;
  }

  chunk(fileId: string, offset: number): Buffer | undefined {
    const f = this.files.get(fileId);
    if (!f) return undefined;
    f.lastUsed = Date.now();
    const len = Math.max(0, Math.min(CHUNK_BYTES, f.offer.bytes - offset));
    const data = Buffer.alloc(len);
    if (len > 0) {
      const fd = openSync(f.path, "r");
      try {
        readSync(fd, data, 0, len, offset);
      } finally {
        closeSync(fd);
      }
    }
    f.served = Math.max(f.served, offset + len);
    if (offset + len >= f.offer.bytes) this.withdraw(fileId);
    return data;
  }

  withdraw(fileId: string): void {
    const f = this.files.get(fileId);
    if (!f) return;
    this.files.delete(fileId);
    if (f.temporary) rmSync(f.path, { force: true });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.files.keys()]) this.withdraw(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, f] of this.files) if (now - f.lastUsed > IDLE_MS) this.withdraw(id);
  }
}

/**
 * Fetches an offered file into `dest` chunk by chunk and checks its SHA-256; throws (and removes
 * the partial file) when the bytes differ from what was offered.
 */
export async function fetchFile(offer: FileOffer, dest: string, chunk: (offset: number) => Promise<Uint8Array>, progress?: (percent: number) => void): Promise<void> {
  const hash = createHash("sha256");
  const fd = openSync(dest, "w");
  try {
    let offset = 0;
    while (offset < offer.bytes) {
      const data = await chunk(offset);
      if (data.length === 0) throw new Error(`the file ended at ${offset} of ${offer.bytes} bytes`);
      writeSync(fd, data, 0, data.length, offset);
      hash.update(data);
      offset += data.length;
      progress?.((100 * offset) / offer.bytes);
    }
  } catch (err) {
    closeSync(fd);
    rmSync(dest, { force: true });
    throw err;
  }
  closeSync(fd);
  const got = hash.digest("hex");
  if (got !== offer.sha256) {
    rmSync(dest, { force: true });
    throw new Error(`the copy's checksum ${got.slice(0, 12)}… differs from the offered ${offer.sha256.slice(0, 12)}…`);
  }
}
