// What the database node asks of its backup node when it recovers: how far the replica is, the
// replica's copy of one entry, and a whole copy (the replica or a verified snapshot).
import { Op } from "../../common/opcodes.ts";
import { backupStatusValue, replicaEntry, type BackupStatus } from "../../common/protocol/backup.ts";
import { fileChunk, fileOffer, type FileOffer } from "../../common/protocol/db.ts";
import type { Request } from "../../common/protocol/index.ts";
import type { Schema } from "../../common/schema.ts";
import type { Key } from "../../common/store/layout.ts";
import { fetchFile } from "../../common/store/file-transfer.ts";
import { unsealBytes } from "../../common/store/records.ts";
import type { Wire } from "../../common/wire.ts";

const ASK_MS = 2000;
const CHUNK_MS = 10_000;

class BackupUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupUnavailable";
  }
}

export class BackupLink {
  constructor(
    private readonly wire: Wire,
    readonly backupId: string,
  ) {}

  private async ask<O extends typeof Op.BACKUP_STATUS | typeof Op.BACKUP_GET_ENTRY | typeof Op.BACKUP_FILE_OPEN | typeof Op.BACKUP_FILE_CHUNK, T>(op: O, body: Request<O>, schema: Schema<T>, timeoutMs = ASK_MS): Promise<T> {
    const reply = await this.wire.request(this.backupId, op, body, timeoutMs);
    if (!reply.ok) throw new BackupUnavailable(`${this.backupId}: ${reply.code ?? "refused"}: ${reply.error ?? ""}`);
    return schema.parse(reply.value);
  }

  /** The replica's position, or undefined if the backup node does not answer within `waitMs`. */
  async status(waitMs: number): Promise<BackupStatus | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.ask(Op.BACKUP_STATUS, {}, backupStatusValue, Math.min(ASK_MS, Math.max(200, deadline - Date.now())));
      } catch {
        if (Date.now() >= deadline) return undefined;
      }
    }
  }

  /** The replica's sealed bytes for one entry (checked), null when the replica has no such entry. */
  async entry(table: string, key: Key): Promise<{ value: Buffer | null; seq: number; generation: string }> {
    const got = await this.ask(Op.BACKUP_GET_ENTRY, { table, key }, replicaEntry);
    if (!got.found) return { value: null, seq: got.seq, generation: got.generation };
    const value = got.value instanceof Uint8Array ? Buffer.from(got.value) : undefined;
    if (!value) throw new BackupUnavailable("the replica's entry is not bytes");
    unsealBytes(value); // the replica's copy must itself be sound
    return { value, seq: got.seq, generation: got.generation };
  }

  /** Fetches a whole copy into `dest`, checked end to end. */
  async fetch(source: "replica" | "snapshot" | "latest-snapshot", dest: string, snapshotId?: number, progress?: (percent: number) => void): Promise<FileOffer> {
    const body = snapshotId === undefined ? { source } : { source, snapshotId };
    // the backup node copies and checks the replica before offering it: that takes a while on a big realm
    const offer = await this.ask(Op.BACKUP_FILE_OPEN, body, fileOffer, 120_000);
    await fetchFile(offer, dest, async (offset) => (await this.ask(Op.BACKUP_FILE_CHUNK, { fileId: offer.fileId, offset }, fileChunk, CHUNK_MS)).data, progress);
    return offer;
  }
}
