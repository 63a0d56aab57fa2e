// Social changes on their way to the players: each update names the accounts it is for, and is
// sent once per client node holding some of them (a guild's new roster goes to each client node
// once, not once per member).
import type { Infer } from "../../../common/schema.ts";
import type { socialUpdate } from "../../../common/protocol/social-desk.ts";
import type { SocialView } from "../../../common/protocol/social.ts";
import type { Online, Roster } from "./roster.ts";

type Update = Infer<typeof socialUpdate>;
type Parts = Omit<Update, "to" | "online">;

export type SendPush = (clientNode: string, updates: Update[]) => void;

/** The characters a social state names, for its online list. */
function named(parts: Parts): string[] {
  const ids: string[] = [];
  for (const m of parts.party?.view?.members ?? []) ids.push(m.characterId);
  for (const m of parts.guild?.view?.members ?? []) ids.push(m.characterId);
  for (const f of parts.friends ?? []) ids.push(f.characterId);
  if (parts.presence) ids.push(parts.presence.characterId);
  return ids;
}

export const partyPart = (s: SocialView): Parts => ({ party: s.party ? { view: s.party } : {} });
export const guildPart = (s: SocialView): Parts => ({ guild: s.guild ? { view: s.guild } : {} });
export const friendsPart = (s: SocialView): Parts => ({ friends: s.friends });
export const invitesPart = (s: SocialView): Parts => ({
  invites: {
    party: s.partyInvites.map((i) => ({ partyId: i.partyId, leaderName: i.leaderName })),
    guild: s.guildInvites.map((i) => ({ guildId: i.guildId, name: i.name })),
  },
});
export const wholePart = (s: SocialView): Parts => ({ ...partyPart(s), ...guildPart(s), ...friendsPart(s), ...invitesPart(s) });

/** Collects updates, then sends them in one frame per client node. */
export class PushBatch {
  private readonly byNode = new Map<string, Update[]>();

  constructor(private readonly roster: Roster) {}

  add(recipients: Iterable<Online>, parts: Parts): void {
    const to = new Map<string, string[]>();
    for (const o of recipients) {
      const node = this.roster.clientNodeOf(o);
      if (node === undefined) continue;
      const accounts = to.get(node) ?? [];
      accounts.push(o.accountId);
      to.set(node, accounts);
    }
    if (to.size === 0) return;
    const online = [...new Set(named(parts))].filter((id) => this.roster.of(id) !== undefined);
    for (const [node, accounts] of to) {
      const updates = this.byNode.get(node) ?? [];
      updates.push({ to: accounts, ...parts, online });
      this.byNode.set(node, updates);
    }
  }

  send(push: SendPush): void {
    for (const [node, updates] of this.byNode) push(node, updates);
    this.byNode.clear();
  }
}
