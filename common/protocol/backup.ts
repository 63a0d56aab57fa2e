// What operator tools and the database node ask the backup node, and its one answer.
import { bool, int, list, num, object, oneOf, optional, record, str, type Infer } from "../schema.ts";
import { corr } from "./control.ts";
import { anyValue, storeKey } from "./db.ts";

/** `realm backup now`: a snapshot through the pg-boss queue, tracked as a task. */
export const backupSnapshotNow = object({ corr });
export const backupList = object({ corr, limit: optional(int({ min: 1, max: 1000 })) });
export const backupVerify = object({ corr, snapshotId: int({ min: 1 }) });
export const backupRestore = object({ corr, snapshotId: int({ min: 1 }) });
/** Progress of a long task (snapshot, verify, restore), for the CLI to show. */
export const backupTask = object({ corr, taskId: str({ max: 64 }) });
const FILE_SOURCES = ["replica", "snapshot", "latest-snapshot"] as const;
/** The database node fetches a whole copy: the live replica or a verified snapshot. */
export const backupFileOpen = object({ corr, source: oneOf(FILE_SOURCES), snapshotId: optional(int({ min: 1 })) });
export const backupFileChunk = object({ corr, fileId: str({ max: 64 }), offset: int({ min: 0 }) });
/** The replica's copy of one entry, to correct the same entry found invalid in the database. */
export const backupGetEntry = object({ corr, table: str({ max: 32 }), key: storeKey });
export const backupStatus = object({ corr });

export const backupReply = object({ corr, ok: bool, code: optional(str({ max: 64 })), error: optional(str({ max: 1000 })), value: optional(anyValue) });

// ---- values inside a BACKUP_REPLY

const SNAPSHOT_STATES = ["queued", "taking", "verified", "failed", "tampered", "pruned"] as const;
const snapshotRow = object({
  id: int({ min: 1 }),
  state: oneOf(SNAPSHOT_STATES),
  trigger: str({ max: 32 }),
  startedAt: num(),
  finishedAt: optional(num()),
  seq: optional(num()),
  bytes: optional(num()),
  sha256: optional(str({ max: 64 })),
  counts: optional(record(num(), { maxKeys: 32 })),
  tookMs: optional(num()),
  verifiedAt: optional(num()),
  error: optional(str({ max: 1000 })),
});
export type SnapshotRow = Infer<typeof snapshotRow>;
export const snapshotList = list(snapshotRow, { max: 1000 });

const TASK_STATES = ["running", "done", "failed"] as const;
export const taskProgress = object({
  taskId: str({ max: 64 }),
  state: oneOf(TASK_STATES),
  phase: str({ max: 200 }),
  /** Every phase so far, oldest first, so that a slow poller still shows each step once. */
  steps: list(str({ max: 200 }), { max: 50 }),
  /** 0..100 for the current phase when it can be measured. */
  percent: optional(num({ min: 0, max: 100 })),
  error: optional(str({ max: 1000 })),
  result: optional(anyValue),
});
export type TaskProgress = Infer<typeof taskProgress>;
export const taskStarted = object({ taskId: str({ max: 64 }), snapshotId: optional(int({ min: 1 })) });

export const replicaEntry = object({ found: bool, value: optional(anyValue), seq: num(), generation: str({ max: 64 }) });

export const backupStatusValue = object({
  replicaSeq: num(),
  generation: str({ max: 64 }),
  entries: num(),
  following: bool,
  snapshots: num(),
});
export type BackupStatus = Infer<typeof backupStatusValue>;
