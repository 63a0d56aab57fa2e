// The party behavior: bots of one worker form parties of up to 5 with the bots that entered near
// them (each newcomer joins the nearest forming group with room, or starts one), the first of a
// group leads and invites the others by name (CMSG_PARTY), the others accept the invitation that
// comes from their leader, then they stay near the leader's start and talk on the party channel
// now and then. A bot still in a party of an earlier run leaves it first.
import type { ServerMessage } from "../../common/player-codec.ts";
import { ChatChannel, PartyAction, PlayerOp, SOCIAL_CODES } from "../../common/player-opcodes.ts";
import { PARTY_MAX } from "../../common/protocol/social.ts";
import { tally } from "./stats.ts";
import type { Bot, Mind } from "./bot.ts";
import { distance, pointIn } from "./walk.ts";

/** A newcomer joins a group whose leader started this near. */
const PARTY_NEAR = 150;
/** An invite not answered by then is sent again. */
const INVITE_AGAIN_MS = 10_000;
const PARTY_CHAT_EVERY_MS = 20_000;
/** How far from the leader's start members wander. */
const ROAM = 25;

const SOCIAL_WORDS = new Map<number, string>(Object.entries(SOCIAL_CODES).map(([word, code]) => [code, word]));

interface Group {
  leader: Bot;
  members: Bot[];
}

/** Groups a worker's party bots as they come into the world, by where they started. */
export class PartyDesk {
  private readonly groups: Group[] = [];
  private readonly groupOf = new Map<Bot, Group>();

  join(bot: Bot): Group {
    const known = this.groupOf.get(bot);
    if (known) return known;
    const from = bot.spawn ?? bot;
    let best: Group | undefined;
    for (const g of this.groups) {
      const d = distance(g.leader.spawn ?? g.leader, from);
      if (g.members.length < PARTY_MAX && d <= PARTY_NEAR && (!best || d < distance(best.leader.spawn ?? best.leader, from))) best = g;
    }
    const group = best ?? { leader: bot, members: [] };
    if (!best) this.groups.push(group);
    group.members.push(bot);
    this.groupOf.set(bot, group);
    return group;
  }
}

export class PartyMind implements Mind {
  private readonly invitedAt = new Map<Bot, number>();
  /** The party as last pushed: its id, leader and members' names. */
  private party: { id: string; leader: string; names: Set<string> } | undefined;
  private nextLineAt: number;
  private lines = 0;

  constructor(
    private readonly bot: Bot,
    private readonly desk: PartyDesk,
  ) {
    this.nextLineAt = Date.now() + bot.random() * PARTY_CHAT_EVERY_MS;
  }

  step(now: number): void {
    const bot = this.bot;
    const group = this.desk.join(bot);
    const home = group.leader.spawn ?? group.leader;
    if (bot.arrived()) {
      bot.placed(now);
      bot.walkTo(pointIn(bot.random, home.x - ROAM, home.y - ROAM, home.x + ROAM, home.y + ROAM));
    }
    if (group.leader === bot) this.invite(group, now);
    if (this.party && this.party.names.size > 1 && now >= this.nextLineAt) {
      this.nextLineAt = now + PARTY_CHAT_EVERY_MS * (0.5 + bot.random());
      bot.counters.chatSent++;
      bot.send({ op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: `${bot.character} to the party #${++this.lines}` });
    }
  }

  /** The leader invites each member of its group not in its party yet, again if an invite lapses. */
  private invite(group: Group, now: number): void {
    for (const m of group.members) {
      if (m === this.bot || !m.inWorld || this.party?.names.has(m.character)) continue;
      const at = this.invitedAt.get(m);
      if (at !== undefined && now - at < INVITE_AGAIN_MS) continue;
      this.invitedAt.set(m, now);
      this.bot.send({ op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: m.character });
    }
  }

  heard(m: ServerMessage): void {
    const bot = this.bot;
    const group = this.desk.join(bot);
    switch (m.op) {
      case PlayerOp.SMSG_PARTY: {
        this.party = m.id ? { id: m.id, leader: m.leader, names: new Set(m.members.map((x) => x.name)) } : undefined;
        // a party of an earlier run, or of another group: out of it first
        const leaderName = m.members.find((x) => x.characterId === m.leader)?.name;
        if (this.party && leaderName !== group.leader.character) bot.send({ op: PlayerOp.CMSG_PARTY, action: PartyAction.LEAVE, arg: "" });
        return;
      }
      case PlayerOp.SMSG_INVITES: {
        const mine = m.party.find((i) => i.leaderName === group.leader.character);
        if (mine && group.leader !== bot) bot.send({ op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: mine.partyId });
        return;
      }
      case PlayerOp.SMSG_SOCIAL_RESULT:
        if (m.code !== 0) tally(bot.refusals, `social: ${SOCIAL_WORDS.get(m.code) ?? m.code}`);
        return;
    }
  }
}
