import path from "node:path";
import { open } from "lmdb";
import { runNode } from "../../common/main.ts";
import type { BackupSpec } from "../../config/model.ts";

// Keeps the realm's replica; replication and snapshots come with the database issue.
await runNode<BackupSpec>(["backup"], (rt, _spec, dataDir) => {
  const replica = open({ path: path.join(dataDir, "replica.lmdb") });
  rt.addVitals(() => ({ entries: (replica.getStats() as { entryCount: number }).entryCount }));
  rt.onStop(() => replica.close());
});
