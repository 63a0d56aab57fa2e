import { DatabaseClient } from "../../common/db-client.ts";
import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { RealmNodeSpec } from "../../common/topology.ts";
import { CharacterDesk } from "./characters.ts";
import { DirectoryGate } from "./directory-gate.ts";
import { DirectoryRebuild } from "./directory-rebuild.ts";
import { EntityIds } from "./entity-ids.ts";
import { Placement } from "./placement.ts";
import { startSocial } from "./social/social-layer.ts";

// The realm's directory of who is where: places sessions on client nodes, checks handles, and
// serves a player's characters through the realm's database node. A starting node first
// rebuilds the directory from the client and zone nodes; what depends on it waits until then.
// Parties, friends, guilds and the realm's chat channels are nodes/realm/social/.
await runNode<RealmNodeSpec>(["realm"], loadConfig, (rt, spec) => {
  const realm = rt.opts.config.realms.find((r) => r.realmNode.id === spec.id);
  if (!realm) throw new Error(`${spec.id} is not the realm node of any realm in ${rt.opts.config.file}`);
  const gate = new DirectoryGate(rt);
  const entities = new EntityIds();
  const placement = new Placement(rt, realm, rt.opts.config, gate);
  placement.start();
  const database = new DatabaseClient(rt.wire, realm.database.id, { timeoutMs: 2000, retries: 1 });
  new CharacterDesk(rt, realm, placement.directory, database, gate, entities).start();
  // partyOf is the dungeon desk's PartyRoster
  startSocial(rt, realm, placement, database, gate);
  new DirectoryRebuild(rt, realm, rt.opts.config, placement, entities, gate).start();
});
