// The database node's entry: the realm's persistent state in LMDB (see database-node.ts).
import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { DatabaseSpec } from "../../common/topology.ts";
import { DatabaseNode } from "./database-node.ts";
import { registerOperations } from "./operations.ts";

await runNode<DatabaseSpec>(["database"], loadConfig, (rt, spec, dataDir) => {
  const realm = rt.opts.config.realms.find((r) => r.database.id === spec.id);
  if (!realm) throw new Error(`${spec.id} is not the database of any realm in ${rt.opts.config.file}`);
  const node = new DatabaseNode(rt, spec, realm, dataDir);
  // the node answers from its first heartbeat: `unavailable` until recovery has opened the store
  registerOperations(node);
  node.install();
});
