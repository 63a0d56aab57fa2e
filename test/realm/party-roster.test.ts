// partyOf, the party roster the dungeon desk takes a party in by: the party's character ids with
// the leader first, from memory for a character in the world and from the database otherwise;
// a character in no party is a party of one.
import t from "tap";
import type { NodeRuntime } from "../../common/node.ts";
import type { SocialView } from "../../common/protocol/social.ts";
import { Directory } from "../../nodes/realm/directory.ts";
import { Roster } from "../../nodes/realm/social/roster.ts";

const party = { id: "P1", leader: "C2", members: [{ characterId: "C1", name: "Alda" }, { characterId: "C2", name: "Bran" }, { characterId: "C3", name: "Cora" }], invited: [] };

t.test("party roster - the leader first, online from memory, offline from the store, alone as a party of one", async (t) => {
  const reads: string[] = [];
  const views: Record<string, SocialView> = {
    C1: { party, friends: [], guildInvites: [], partyInvites: [] },
    C3: { party, friends: [], guildInvites: [], partyInvites: [] },
    C9: { friends: [], guildInvites: [], partyInvites: [] },
  };
  const store = {
    loadSocial: async (id: string) => {
      reads.push(id);
      return views[id] ?? { friends: [], guildInvites: [], partyInvites: [] };
    },
    loadCharacter: async () => ({ name: "Alda" }),
  };
  const rt = { log: { warn() {}, info() {} } } as unknown as NodeRuntime;
  const directory = new Directory();
  const roster = new Roster(rt, directory, store, () => true);
  const place = { accountId: "1", clientNode: "CLIENT-1", placedAt: 0, expiresAt: 1e15, attachedTo: "CLIENT-1" };
  directory.put(place);
  directory.placeCharacter(place, "C1", "Z1", "Alda");
  t.same(await roster.partyOf("C1"), ["C2", "C1", "C3"], "an online member: the leader first");
  const before = reads.length;
  t.same(await roster.partyOf("C1"), ["C2", "C1", "C3"], "asked again");
  t.equal(reads.length, before, "from memory, no read");
  t.same(await roster.partyOf("C3"), ["C2", "C1", "C3"], "an offline member: read from the database");
  t.same(await roster.partyOf("C9"), ["C9"], "in no party: just the character");
  t.equal(roster.named("alda")?.characterId, "C1", "names are found ignoring case");
});
