import { DatabaseClient } from "../../common/db-client.ts";
import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { RealmNodeSpec } from "../../common/topology.ts";
import { CharacterDesk } from "./characters.ts";
import { DirectoryGate } from "./directory-gate.ts";
import { DirectoryRebuild } from "./directory-rebuild.ts";
import { Dungeons } from "./dungeons.ts";
import { EntityIds } from "./entity-ids.ts";
import { Placement } from "./placement.ts";

// The realm's directory of who is where: places sessions on client nodes, checks handles, and
// serves a player's characters through the realm's database node. A starting node first
// rebuilds the directory from the client and zone nodes; what depends on it waits until then.
await runNode<RealmNodeSpec>(["realm"], loadConfig, (rt, spec) => {
  const realm = rt.opts.config.realms.find((r) => r.realmNode.id === spec.id);
  if (!realm) throw new Error(`${spec.id} is not the realm node of any realm in ${rt.opts.config.file}`);
  const gate = new DirectoryGate(rt);
  const entities = new EntityIds();
  const placement = new Placement(rt, realm, rt.opts.config, gate);
  placement.start();
  const database = new DatabaseClient(rt.wire, realm.database.id, { timeoutMs: 2000, retries: 1 });
  const characters = new CharacterDesk(rt, realm, placement.directory, database, gate, entities, rt.opts.config.instances.pool.map((n) => n.id));
  characters.start();
  new Dungeons(rt, realm, rt.opts.config, placement.directory, entities, gate, characters).start();
  new DirectoryRebuild(rt, realm, rt.opts.config, placement, entities, gate).start();
});
