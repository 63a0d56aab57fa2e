// The realm's directory of who is where: places sessions on client nodes, checks handles, serves a
// player's characters through the realm's database node, keeps parties, friends, guilds and the
// realm's chat channels (social/), and takes parties into dungeons. A
// starting node first rebuilds the directory from the client and zone nodes; what depends on it
// waits until then.
import { DatabaseClient } from "../../common/db-client.ts";
import type { NodeRuntime } from "../../common/node.ts";
import type { RealmNodeSpec } from "../../common/topology.ts";
import { CharacterDesk } from "./characters.ts";
import { DirectoryGate } from "./directory-gate.ts";
import { DirectoryRebuild } from "./directory-rebuild.ts";
import { Dungeons } from "./dungeons.ts";
import type { PartyRoster } from "./party-roster.ts";
import { EntityIds } from "./entity-ids.ts";
import { Placement } from "./placement.ts";
import { startSocial } from "./social/social-layer.ts";

/** `roster`: who goes into a dungeon with a party leader; the social layer's parties unless a test hands its own. */
export function startRealmNode(rt: NodeRuntime, spec: RealmNodeSpec, roster?: PartyRoster): void {
  const config = rt.opts.config;
  const realm = config.realms.find((r) => r.realmNode.id === spec.id);
  if (!realm) throw new Error(`${spec.id} is not the realm node of any realm in ${config.file}`);
  const gate = new DirectoryGate(rt);
  const entities = new EntityIds();
  const placement = new Placement(rt, realm, config, gate);
  placement.start();
  const database = new DatabaseClient(rt.wire, realm.database.id, { timeoutMs: 2000, retries: 1 });
  const characters = new CharacterDesk(rt, realm, placement.directory, database, gate, entities, config.instances.pool.map((n) => n.id));
  characters.start();
  // before the rebuild: the social roster follows the characters the rebuilt directory puts in the world
  const social = startSocial(rt, realm, placement, database, gate);
  const party = roster ?? social.partyOf;
  characters.landWithParty(party);
  new Dungeons(rt, realm, config, placement.directory, entities, gate, characters, party).start();
  new DirectoryRebuild(rt, realm, config, placement, entities, gate).start();
}
