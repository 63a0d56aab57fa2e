// The integrity check's part for guilds, parties and friendships: each record opens, a character
// is a member of at most one guild and one party (and the group lists it), a guild has exactly
// one leader and a unique name, a party's leader is a member and its size is in bounds, a
// friendship is recorded alike on both sides, and nothing points at a character that is gone.
// The indexes derived from the records are compared both ways, with what each entry should hold.
import { FRIENDS_MAX, PARTY_MAX } from "../protocol/social.ts";
import { childKey, nameKey, type Table } from "./layout.ts";
import type { Problem } from "./problem.ts";
import { CorruptEntry, open, unseal } from "./records.ts";
import { friendRecord, groupIdRecord, guildRecord, MIRROR, partyRecord, type FriendState, type GuildRecord, type PartyRecord } from "./social-records.ts";

export const SOCIAL_INDEXES = ["guildNames", "guildOf", "guildInvites", "partyOf", "partyInvites"] as const;
type SocialIndex = (typeof SOCIAL_INDEXES)[number];
type SocialTable = "guilds" | "parties" | "friends" | SocialIndex;

const split = (key: string): [string, string] => {
  const at = key.indexOf("/");
  return [key.slice(0, at), key.slice(at + 1)];
};

export class SocialCheck {
  private readonly guilds = new Map<string, GuildRecord>();
  private readonly parties = new Map<string, PartyRecord>();
  private readonly friends = new Map<string, FriendState>();
  private readonly held: Record<SocialIndex, Map<string, unknown>> = {
    guildNames: new Map(),
    guildOf: new Map(),
    guildInvites: new Map(),
    partyOf: new Map(),
    partyInvites: new Map(),
  };

  /** Opens each entry of the social tables (a throw is a corrupt entry) and keeps what the cross checks need. */
  readonly keep: Record<SocialTable, (key: string, value: Uint8Array) => void> = {
    guilds: (key, v) => {
      const g = open(v, guildRecord);
      if (g.id !== key) throw new CorruptEntry(`holds ${g.id}`);
      this.guilds.set(key, g);
    },
    parties: (key, v) => {
      const p = open(v, partyRecord);
      if (p.id !== key) throw new CorruptEntry(`holds ${p.id}`);
      this.parties.set(key, p);
    },
    friends: (key, v) => void this.friends.set(key, open(v, friendRecord).state),
    guildNames: (key, v) => void this.held.guildNames.set(key, open(v, groupIdRecord)),
    guildOf: (key, v) => void this.held.guildOf.set(key, open(v, groupIdRecord)),
    guildInvites: (key, v) => void this.held.guildInvites.set(key, unseal(v)),
    partyOf: (key, v) => void this.held.partyOf.set(key, open(v, groupIdRecord)),
    partyInvites: (key, v) => void this.held.partyInvites.set(key, unseal(v)),
  };

  /** After every table is read: the rules, then the indexes against what the records imply. */
  check(characters: ReadonlyMap<string, unknown>, problems: Problem[]): void {
    const want: Record<SocialIndex, Map<string, unknown>> = {
      guildNames: new Map(),
      guildOf: new Map(),
      guildInvites: new Map(),
      partyOf: new Map(),
      partyInvites: new Map(),
    };
    const say = (table: Table, key: string, detail: string): void => void problems.push({ kind: "membership", table, key, detail });
    const gone = (id: string): boolean => !characters.has(id);
    /** A group's members and invites into the indexes they imply: a member of two groups of a kind, or a gone character, is a problem. */
    const enrol = (table: Table, id: string, group: { members: { characterId: string }[]; invites: { characterId: string }[] }, of: Map<string, unknown>, invited: Map<string, unknown>): void => {
      for (const m of group.members) {
        if (gone(m.characterId)) say(table, id, `member ${m.characterId} does not exist`);
        const first = of.get(m.characterId);
        if (first !== undefined) say(table, id, `member ${m.characterId} is also a member of ${String(first)}`);
        else of.set(m.characterId, id);
      }
      for (const i of group.invites) {
        if (gone(i.characterId)) say(table, id, `invited ${i.characterId} does not exist`);
        invited.set(childKey(i.characterId, id), 1);
      }
    };

    for (const [id, g] of this.guilds) {
      const leaders = g.members.filter((m) => m.rank === "leader").length;
      if (leaders !== 1) say("guilds", id, `${leaders} leaders, not exactly one`);
      const name = nameKey(g.name);
      const other = want.guildNames.get(name);
      if (other !== undefined) say("guilds", id, `named "${g.name}" like guild ${String(other)}`);
      else want.guildNames.set(name, id);
      enrol("guilds", id, g, want.guildOf, want.guildInvites);
    }
    for (const [id, p] of this.parties) {
      if (!p.members.some((m) => m.characterId === p.leader)) say("parties", id, `leader ${p.leader} is not a member`);
      if (p.members.length > PARTY_MAX) say("parties", id, `${p.members.length} members, more than ${PARTY_MAX}`);
      if (p.members.length < 2 && p.invites.length === 0) say("parties", id, "a party of one with no invites (it should be gone)");
      enrol("parties", id, p, want.partyOf, want.partyInvites);
    }
    // an invite stands only for a character in no group of that kind (entering one ends the rest)
    for (const key of want.guildInvites.keys()) if (want.guildOf.has(split(key)[0])) say("guilds", split(key)[1], `invited ${split(key)[0]} is already in a guild`);
    for (const key of want.partyInvites.keys()) if (want.partyOf.has(split(key)[0])) say("parties", split(key)[1], `invited ${split(key)[0]} is already in a party`);

    const friendCount = new Map<string, number>();
    for (const [key, state] of this.friends) {
      const [a, b] = split(key);
      const edge = (detail: string): void => void problems.push({ kind: "friend-edge", table: "friends", key, detail });
      if (a === b) edge("a character befriends itself");
      if (gone(a) || gone(b)) edge(`${gone(a) ? a : b} does not exist`);
      const mirror = this.friends.get(childKey(b, a));
      if (mirror !== MIRROR[state]) edge(`${a} says ${state} but ${b} says ${mirror ?? "nothing"}`);
      if (state === "friend") friendCount.set(a, (friendCount.get(a) ?? 0) + 1);
    }
    for (const [id, n] of friendCount) if (n > FRIENDS_MAX) problems.push({ kind: "friend-edge", table: "friends", key: id, detail: `${n} friends, more than ${FRIENDS_MAX}` });

    for (const index of SOCIAL_INDEXES) compareIndex(index, want[index], this.held[index], problems);
  }
}

/** Both ways: an entry that should not be there or holds the wrong value, and one that is missing. */
function compareIndex(index: SocialIndex, want: ReadonlyMap<string, unknown>, held: ReadonlyMap<string, unknown>, problems: Problem[]): void {
  for (const [key, value] of held) {
    const should = want.get(key);
    if (should === undefined) problems.push({ kind: "index-extra", table: index, key, detail: "no record behind it" });
    else if (should !== value) problems.push({ kind: "index-extra", table: index, key, detail: `holds ${JSON.stringify(value)}, not ${JSON.stringify(should)}`, want: should });
  }
  for (const [key, value] of want) if (!held.has(key)) problems.push({ kind: "index-missing", table: index, key, detail: "record without its index entry", want: value });
}
