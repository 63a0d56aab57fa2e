// Parties, friends and guilds on behalf of players: the actor is always the character played by
// the account attached from the asking client node. Each change is one database operation; its
// answer updates everyone it covers (a party's or guild's members share one view), anyone else it
// touched (the invited, the kicked, the friend on the other side) is read again, and every online
// character concerned hears of it through its client node.
import { DbError } from "../../../common/errors.ts";
import type { NodeRuntime } from "../../../common/node.ts";
import { Op } from "../../../common/opcodes.ts";
import type { Body } from "../../../common/protocol/index.ts";
import { SOCIAL_DESK_REFUSALS, type SocialDeskRefusal, type SocialRequest } from "../../../common/protocol/social-desk.ts";
import type { DbFriendRequest, DbGuildRequest, DbPartyRequest, FriendView, GuildView, PartyView, SocialView } from "../../../common/protocol/social.ts";
import type { DirectoryGate } from "../directory-gate.ts";
import { friendsPart, guildPart, invitesPart, partyPart, PushBatch, wholePart, type SendPush } from "./pushes.ts";
import type { Online, PresenceListener, Roster } from "./roster.ts";

type Change<R> = R extends unknown ? Omit<R, "corr" | "expiresAt" | "opId"> : never;

/** The database calls the desk makes (common/db-client.ts provides them). */
export interface SocialWrites {
  guild(change: Change<DbGuildRequest>): Promise<GuildView | undefined>;
  friend(change: Change<DbFriendRequest>): Promise<FriendView[]>;
  party(change: Change<DbPartyRequest>): Promise<PartyView | undefined>;
  findCharacter(name: string): Promise<{ id: string; name: string }>;
}

export interface SocialRefusal {
  ok: false;
  code: SocialDeskRefusal;
  error: string;
}
type Answer = { ok: true } | SocialRefusal;

export const socialRefusal = (code: SocialDeskRefusal, error: string): SocialRefusal => ({ ok: false, code, error });

/** A database refusal keeps its code; anything else (a timeout, a dead node) is "unavailable": nothing was applied. */
export function refusalOf(err: unknown): SocialRefusal {
  if (err instanceof DbError && (SOCIAL_DESK_REFUSALS as readonly string[]).includes(err.code)) return socialRefusal(err.code as SocialDeskRefusal, err.message);
  return socialRefusal("unavailable", `the realm's database is not answering (${(err as Error).message}); try again`);
}

/** The acting character for a request from `from`, once its state is loaded, or why there is none. */
export async function actorOf(roster: Roster, accountId: string, from: string): Promise<Online | SocialRefusal> {
  const actor = roster.actorFor(accountId, from);
  if (!actor) return socialRefusal("not-in-world", `account ${accountId} plays no character attached from ${from}`);
  await actor.ready;
  return actor;
}

const memberIds = (v: { members: { characterId: string }[] } | undefined): string[] => v?.members.map((m) => m.characterId) ?? [];

type GroupKey = "party" | "guild";

function withGroup(s: SocialView, key: GroupKey, view: PartyView | GuildView | undefined): SocialView {
  return key === "party" ? { ...s, party: view as PartyView | undefined } : { ...s, guild: view as GuildView | undefined };
}

/** An invitation answered (accepted or declined) is gone from the actor's list. */
function dropInvite(actor: Online, groupId: string): void {
  actor.social.partyInvites = actor.social.partyInvites.filter((i) => i.partyId !== groupId);
  actor.social.guildInvites = actor.social.guildInvites.filter((i) => i.guildId !== groupId);
}

export class SocialDesk implements PresenceListener {
  constructor(
    private readonly rt: NodeRuntime,
    private readonly roster: Roster,
    private readonly store: SocialWrites,
    private readonly gate: DirectoryGate,
    private readonly push: SendPush,
  ) {}

  start(): void {
    this.roster.listen(this);
    this.gate.on(Op.SOCIAL_REQUEST, (b, from) => void this.answer(b, from).then((a) => this.rt.wire.reply(from, Op.SOCIAL_REPLY, { corr: b.corr, ...a })));
  }

  /** A character entered: its own state to it, and the news to its friends, party and guild. */
  entered(o: Online, rebuilt: boolean): void {
    const batch = new PushBatch(this.roster);
    batch.add([o], wholePart(o.social));
    if (!rebuilt) batch.add(this.circleOf(o), { presence: { characterId: o.characterId, name: o.name, online: true } });
    batch.send(this.push);
  }

  /** A resumed player is told its whole state again: a push sent while it had no connection is lost. */
  resumed(o: Online): void {
    const batch = new PushBatch(this.roster);
    batch.add([o], wholePart(o.social));
    batch.send(this.push);
  }

  left(o: Online): void {
    const batch = new PushBatch(this.roster);
    batch.add(this.circleOf(o), { presence: { characterId: o.characterId, name: o.name, online: false } });
    batch.send(this.push);
  }

  /** Online friends, party and guild members of the character (not itself). */
  private circleOf(o: Online): Online[] {
    const { social } = o;
    const ids = new Set([...social.friends.filter((f) => f.state === "friend").map((f) => f.characterId), ...memberIds(social.party), ...memberIds(social.guild)]);
    ids.delete(o.characterId);
    return [...ids].map((id) => this.roster.of(id)).filter((x): x is Online => x !== undefined);
  }

  private async answer(b: Body<typeof Op.SOCIAL_REQUEST>, from: string): Promise<Answer> {
    const actor = await actorOf(this.roster, b.accountId, from);
    if (!("characterId" in actor)) return actor;
    try {
      await this.apply(actor, b);
      this.rt.log.info("social-change", { characterId: actor.characterId, action: b.action });
      return { ok: true };
    } catch (err) {
      const r = refusalOf(err);
      this.rt.log.info("social-refused", { characterId: actor.characterId, action: b.action, code: r.code, error: r.error });
      return r;
    }
  }

  /** A character by the name a player typed: online ones from memory, others from the database. */
  private async target(actor: Online, name: string): Promise<string> {
    const online = this.roster.named(name);
    const id = online ? online.characterId : (await this.store.findCharacter(name)).id;
    if (id === actor.characterId) throw new DbError("self", "you named yourself");
    return id;
  }

  private async apply(actor: Online, b: SocialRequest): Promise<void> {
    const characterId = actor.characterId;
    switch (b.action) {
      case "party-invite":
      case "party-kick":
      case "party-leader": {
        const target = await this.target(actor, b.name);
        const action = b.action === "party-invite" ? "invite" : b.action === "party-kick" ? "kick" : "leader";
        return this.afterParty(actor, await this.store.party({ action, characterId, target }), [target]);
      }
      case "party-accept":
        return this.afterParty(actor, await this.store.party({ action: "accept", characterId, partyId: b.partyId }), [], b.partyId);
      case "party-decline":
        await this.store.party({ action: "decline", characterId, partyId: b.partyId });
        return this.invitesAnswered(actor, b.partyId);
      case "party-leave":
        return this.afterParty(actor, await this.store.party({ action: "leave", characterId }), []);
      case "guild-create":
        return this.afterGuild(actor, await this.store.guild({ action: "create", characterId, name: b.guildName }), []);
      case "guild-invite":
      case "guild-kick": {
        const target = await this.target(actor, b.name);
        return this.afterGuild(actor, await this.store.guild({ action: b.action === "guild-invite" ? "invite" : "kick", characterId, target }), [target]);
      }
      case "guild-rank": {
        const target = await this.target(actor, b.name);
        return this.afterGuild(actor, await this.store.guild({ action: "rank", characterId, target, rank: b.rank }), [target]);
      }
      case "guild-join":
        return this.afterGuild(actor, await this.store.guild({ action: "join", characterId, guildId: b.guildId }), [], b.guildId);
      case "guild-decline":
        await this.store.guild({ action: "decline", characterId, guildId: b.guildId });
        return this.invitesAnswered(actor, b.guildId);
      case "guild-leave":
        return this.afterGuild(actor, await this.store.guild({ action: "leave", characterId }), []);
      case "friend-request":
      case "friend-accept":
      case "friend-decline":
      case "friend-remove": {
        const target = await this.target(actor, b.name);
        const action = b.action.slice("friend-".length) as "request" | "accept" | "decline" | "remove";
        actor.social.friends = await this.store.friend({ action, characterId, target });
        const batch = new PushBatch(this.roster);
        batch.add([actor], friendsPart(actor.social));
        await this.rereadInto(batch, [target]);
        return batch.send(this.push);
      }
    }
  }

  private afterParty(actor: Online, view: PartyView | undefined, touched: string[], joined?: string): Promise<void> {
    return this.afterGroup("party", actor, view, touched, joined);
  }

  private afterGuild(actor: Online, view: GuildView | undefined, touched: string[], joined?: string): Promise<void> {
    return this.afterGroup("guild", actor, view, touched, joined);
  }

  /**
   * The party or guild as the change left it: its online members share the answer's view; the
   * touched (invited, kicked) are read again; when the actor left, one of those it left behind is
   * read again and the others share that view.
   */
  private async afterGroup(key: GroupKey, actor: Online, view: PartyView | GuildView | undefined, touched: string[], joined?: string): Promise<void> {
    const part = key === "party" ? partyPart : guildPart;
    const inView = new Set(memberIds(view));
    const before = memberIds(actor.social[key]);
    const members = new Set([...this.onlineOf([...inView]), actor]);
    for (const m of members) m.social = withGroup(m.social, key, view);
    if (joined) dropInvite(actor, joined);
    const batch = new PushBatch(this.roster);
    batch.add(members, part(actor.social));
    if (joined) batch.add([actor], invitesPart(actor.social));
    const outside = (id: string): boolean => !inView.has(id) && id !== actor.characterId;
    await this.rereadInto(batch, touched.filter(outside));
    const behind = this.onlineOf(before.filter((id) => outside(id) && !touched.includes(id)));
    const first = behind[0];
    if (view === undefined && first) {
      await this.rereadInto(batch, [first.characterId]);
      for (const o of behind.slice(1)) o.social = withGroup(o.social, key, first.social[key]);
      batch.add(behind.slice(1), part(first.social));
    }
    batch.send(this.push);
  }

  private invitesAnswered(actor: Online, groupId: string): void {
    dropInvite(actor, groupId);
    const batch = new PushBatch(this.roster);
    batch.add([actor], invitesPart(actor.social));
    batch.send(this.push);
  }

  /** Reads the online ones of `ids` again and queues their whole state; one that fails to load keeps what it had. */
  private async rereadInto(batch: PushBatch, ids: string[]): Promise<void> {
    const online = this.onlineOf([...new Set(ids)]);
    await Promise.all(
      online.map(async (o) => {
        try {
          await this.roster.reload(o);
          batch.add([o], wholePart(o.social));
        } catch (err) {
          this.rt.log.warn("social-reload-failed", { characterId: o.characterId, error: (err as Error).message });
        }
      }),
    );
  }

  private onlineOf(ids: string[]): Online[] {
    return ids.map((id) => this.roster.of(id)).filter((x): x is Online => x !== undefined);
  }
}
