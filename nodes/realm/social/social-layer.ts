// The realm node's social layer in one call: the roster of who is in the world (fed by the
// directory), the social desk (parties, friends, guilds) and the chat desk. It hands back the
// party roster the dungeon desk uses to take a party in together.
import type { DatabaseClient } from "../../../common/db-client.ts";
import type { NodeRuntime } from "../../../common/node.ts";
import { Op } from "../../../common/opcodes.ts";
import type { RealmSpec } from "../../../common/topology.ts";
import type { DirectoryGate } from "../directory-gate.ts";
import type { PartyRoster } from "../party-roster.ts";
import type { Placement } from "../placement.ts";
import { ChatDesk } from "./chat-desk.ts";
import { Roster } from "./roster.ts";
import { SocialDesk } from "./social-desk.ts";

type SocialStore = Pick<DatabaseClient, "guild" | "friend" | "party" | "loadSocial" | "findCharacter" | "loadCharacter">;

export function startSocial(rt: NodeRuntime, realm: RealmSpec, placement: Placement, store: SocialStore, gate: DirectoryGate): { partyOf: PartyRoster } {
  const roster = new Roster(rt, placement.directory, store, () => gate.isOpen);
  new SocialDesk(rt, roster, store, gate, (node, updates) => placement.toClientNode(node, Op.SOCIAL_PUSH, { realm: realm.name, updates })).start();
  new ChatDesk(rt, realm.name, roster, store, gate, placement).start();
  return { partyOf: (characterId) => roster.partyOf(characterId) };
}
