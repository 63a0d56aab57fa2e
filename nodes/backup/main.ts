// The backup node's entry: the replica, verified snapshots and the audit (see backup-node.ts).
import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { BackupSpec } from "../../common/topology.ts";
import { BackupNode } from "./backup-node.ts";

await runNode<BackupSpec>(["backup"], loadConfig, (rt, spec, dataDir) => {
  const realm = rt.opts.config.realms.find((r) => r.backup.id === spec.id);
  if (!realm) throw new Error(`${spec.id} is not the backup node of any realm in ${rt.opts.config.file}`);
  new BackupNode(rt, spec, realm, dataDir).install();
});
