import path from "node:path";
import { open } from "lmdb";
import { runNode } from "../../common/main.ts";
import type { DatabaseSpec } from "../../config/model.ts";

// The realm's persistent state in LMDB; operations come with the database issue.
await runNode<DatabaseSpec>(["database"], (rt, spec, dataDir) => {
  const db = open({ path: path.join(dataDir, "realm.lmdb"), overlappingSync: true, commitDelay: Math.min(spec.flushMs, 50) });
  rt.addVitals(() => ({ entries: (db.getStats() as { entryCount: number }).entryCount }));
  rt.onStop(() => db.close());
});
