// The realm's chat channels beyond a zone: whispers by name, party, guild and global. The realm
// node knows who is in which party and guild and which client node speaks for each player, so a
// line goes out once per client node holding recipients, never to anyone outside the channel.
// Say and zone chat stay with the zones. Operator mutes live here and are enforced by the
// player's client node on every channel (it also mutes floods there).
import type { NodeRuntime } from "../../../common/node.ts";
import { Op } from "../../../common/opcodes.ts";
import type { Body } from "../../../common/protocol/index.ts";
import type { RealmChatChannel } from "../../../common/protocol/social-desk.ts";
import type { DirectoryGate } from "../directory-gate.ts";
import type { Placement } from "../placement.ts";
import type { Online, PresenceListener, Roster } from "./roster.ts";
import { actorOf, refusalOf, socialRefusal, type SocialRefusal } from "./social-desk.ts";

interface CharacterLookup {
  findCharacter(name: string): Promise<{ id: string; name: string }>;
}

type Answer = { ok: true } | SocialRefusal;

export class ChatDesk implements PresenceListener {
  /** Muted characters and until when (ms since 1970); kept while this realm node runs. */
  private readonly mutes = new Map<string, number>();
  lines = 0;

  constructor(
    private readonly rt: NodeRuntime,
    private readonly realm: string,
    private readonly roster: Roster,
    private readonly store: CharacterLookup,
    private readonly gate: DirectoryGate,
    private readonly placement: Placement,
  ) {}

  start(): void {
    const { rt } = this;
    this.roster.listen(this);
    this.gate.on(Op.CHAT_SEND, (b, from) => void this.send(b, from).then((a) => rt.wire.reply(from, Op.CHAT_SEND_REPLY, { corr: b.corr, ...a })));
    rt.on(Op.CHAT_MUTE, (b, from) =>
      void this.mute(b).then((a) => {
        rt.log.info("chat-mute", { name: b.name, forMs: b.forMs, by: b.by, from, ok: a.ok, until: a.ok ? a.until : undefined });
        rt.wire.reply(from, Op.CHAT_MUTE_REPLY, { corr: b.corr, ...a });
      }),
    );
    rt.addVitals(() => ({ chatLines: this.lines, online: this.roster.size }));
  }

  /** A muted character's client node learns of the mute when it enters again. */
  entered(o: Online): void {
    const until = this.mutedUntil(o.characterId);
    if (until > 0) this.tellMuted(o, until);
  }

  left(): void {}

  private mutedUntil(characterId: string): number {
    const until = this.mutes.get(characterId) ?? 0;
    if (until > Date.now()) return until;
    this.mutes.delete(characterId);
    return 0;
  }

  private tellMuted(o: Online, until: number): void {
    const node = this.roster.clientNodeOf(o);
    if (node !== undefined) this.placement.toClientNode(node, Op.CHAT_MUTED, { realm: this.realm, accountId: o.accountId, until });
  }

  private async send(b: Body<typeof Op.CHAT_SEND>, from: string): Promise<Answer> {
    const actor = await actorOf(this.roster, b.accountId, from);
    if (!("characterId" in actor)) return actor;
    const until = this.mutedUntil(actor.characterId);
    if (until > 0) return socialRefusal("muted", `you are muted for ${Math.ceil((until - Date.now()) / 1000)} s more`);
    const recipients = await this.recipients(actor, b.channel, b.to);
    if (!Array.isArray(recipients)) return recipients;
    this.lines++;
    if (b.channel === "global") {
      // every client node gets the line once and gives it to every player of the realm it holds
      for (const node of this.rt.opts.config.clientNodes) {
        if (this.placement.isLive(node.id)) this.deliver(node.id, [], true, b.channel, actor.name, b.text);
      }
      return { ok: true };
    }
    const byNode = new Map<string, string[]>();
    for (const o of recipients) {
      const node = this.roster.clientNodeOf(o);
      if (node === undefined) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), o.accountId]);
    }
    for (const [node, to] of byNode) this.deliver(node, to, false, b.channel, actor.name, b.text);
    return { ok: true };
  }

  private deliver(node: string, to: string[], everyone: boolean, channel: RealmChatChannel, fromName: string, text: string): void {
    this.placement.toClientNode(node, Op.CHAT_DELIVER, { realm: this.realm, to, everyone, channel, fromName, text });
  }

  /** Who hears the line (the realm for global), or why nobody may. */
  private async recipients(actor: Online, channel: RealmChatChannel, to: string | undefined): Promise<Online[] | SocialRefusal> {
    switch (channel) {
      case "whisper":
        return this.whisperee(actor, to ?? "");
      case "party": {
        const party = actor.social.party;
        if (!party) return socialRefusal("not-in-party", "you are in no party");
        return this.online(party.members.map((m) => m.characterId));
      }
      case "guild": {
        const guild = actor.social.guild;
        if (!guild) return socialRefusal("not-in-guild", "you are in no guild");
        return this.online(guild.members.map((m) => m.characterId));
      }
      case "global":
        return [];
    }
  }

  private async whisperee(actor: Online, name: string): Promise<Online[] | SocialRefusal> {
    const target = this.roster.named(name);
    if (target === actor) return socialRefusal("self", "you cannot whisper to yourself");
    if (target) return [target];
    try {
      await this.store.findCharacter(name);
      return socialRefusal("offline", `${name} is not in the world`);
    } catch (err) {
      const r = refusalOf(err);
      return r.code === "not-found" ? socialRefusal("not-found", `no character is named ${name}`) : r;
    }
  }

  private online(ids: string[]): Online[] {
    return ids.map((id) => this.roster.of(id)).filter((x): x is Online => x !== undefined);
  }

  private async mute(b: Body<typeof Op.CHAT_MUTE>): Promise<{ ok: true; until: number } | SocialRefusal> {
    let target = this.roster.named(b.name);
    let characterId = target?.characterId;
    if (!characterId) {
      try {
        characterId = (await this.store.findCharacter(b.name)).id;
      } catch (err) {
        return refusalOf(err);
      }
    }
    const until = b.forMs === 0 ? 0 : Date.now() + b.forMs;
    if (until === 0) this.mutes.delete(characterId);
    else this.mutes.set(characterId, until);
    target = this.roster.of(characterId);
    if (target) this.tellMuted(target, until);
    return { ok: true, until };
  }
}
