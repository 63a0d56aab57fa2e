// The client node's side of parties, friends, guilds and the realm's chat channels: a player's
// CMSG_CHAT / _PARTY / _FRIEND / _GUILD is checked here (rate, mute, a known action) and asked of
// the realm node for the account this connection holds; the answer comes back as
// SMSG_SOCIAL_RESULT. What the realm node pushes (CHAT_DELIVER, SOCIAL_PUSH, CHAT_MUTED) comes once
// per client node and is encoded once, then queued for each player it names. A refusal never
// closes the connection; only a malformed frame does (player-endpoint.ts).
import { ByteWriter } from "../../common/bytes.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { writeServer, type ClientMessage } from "../../common/player-codec.ts";
import {
  ChatChannel,
  FRIEND_STATE_CODES,
  FriendAction,
  GUILD_RANK_CODES,
  GuildAction,
  PartyAction,
  PlayerOp,
  SOCIAL_CODES,
  type SocialCodeWord,
} from "../../common/player-opcodes.ts";
import type { Body, Request } from "../../common/protocol/index.ts";
import { CHAT_TEXT_MAX, type RealmChatChannel } from "../../common/protocol/social-desk.ts";
import { GUILD_RANKS } from "../../common/protocol/social.ts";
import type { Without } from "../../common/schema.ts";
import { FLOOD_MUTE_MS } from "./input-guard.ts";
import type { Player } from "./player.ts";
import type { Sessions } from "./sessions.ts";

const REALM_TIMEOUT_MS = 3000;

type SocialMessage = Extract<ClientMessage, { op: typeof PlayerOp.CMSG_CHAT | typeof PlayerOp.CMSG_PARTY | typeof PlayerOp.CMSG_FRIEND | typeof PlayerOp.CMSG_GUILD }>;
type SocialRequestBody = Request<typeof Op.SOCIAL_REQUEST>;
/** A request without the account, which this node fills in from the connection. */
type Action = Without<Body<typeof Op.SOCIAL_REQUEST>, "corr" | "accountId">;

const REALM_CHANNELS: Record<number, RealmChatChannel> = {
  [ChatChannel.WHISPER]: "whisper",
  [ChatChannel.PARTY]: "party",
  [ChatChannel.GUILD]: "guild",
  [ChatChannel.GLOBAL]: "global",
};
const CHANNEL_CODES: Record<RealmChatChannel, number> = { whisper: ChatChannel.WHISPER, party: ChatChannel.PARTY, guild: ChatChannel.GUILD, global: ChatChannel.GLOBAL };

/** The realm node's request for a CMSG_PARTY / _FRIEND / _GUILD, or undefined for an action or argument that makes none. */
function actionOf(m: Exclude<SocialMessage, { op: typeof PlayerOp.CMSG_CHAT }>): Action | undefined {
  if (m.op === PlayerOp.CMSG_FRIEND) {
    const action = ({ [FriendAction.REQUEST]: "friend-request", [FriendAction.ACCEPT]: "friend-accept", [FriendAction.DECLINE]: "friend-decline", [FriendAction.REMOVE]: "friend-remove" } as const)[m.action];
    return action && m.name ? { action, name: m.name } : undefined;
  }
  const arg = m.arg;
  if (m.op === PlayerOp.CMSG_PARTY) {
    switch (m.action) {
      case PartyAction.LEAVE:
        return { action: "party-leave" };
      case PartyAction.ACCEPT:
      case PartyAction.DECLINE:
        return arg ? { action: m.action === PartyAction.ACCEPT ? "party-accept" : "party-decline", partyId: arg } : undefined;
      case PartyAction.INVITE:
      case PartyAction.KICK:
      case PartyAction.LEADER: {
        const action = m.action === PartyAction.INVITE ? "party-invite" : m.action === PartyAction.KICK ? "party-kick" : "party-leader";
        return arg ? { action, name: arg } : undefined;
      }
      default:
        return undefined;
    }
  }
  switch (m.action) {
    case GuildAction.LEAVE:
      return { action: "guild-leave" };
    case GuildAction.CREATE:
      return arg ? { action: "guild-create", guildName: arg } : undefined;
    case GuildAction.JOIN:
    case GuildAction.DECLINE:
      return arg ? { action: m.action === GuildAction.JOIN ? "guild-join" : "guild-decline", guildId: arg } : undefined;
    case GuildAction.INVITE:
    case GuildAction.KICK:
      return arg ? { action: m.action === GuildAction.INVITE ? "guild-invite" : "guild-kick", name: arg } : undefined;
    case GuildAction.RANK: {
      const rank = GUILD_RANKS[m.rank - 1];
      return arg && rank ? { action: "guild-rank", name: arg, rank } : undefined;
    }
    default:
      return undefined;
  }
}

/** A player the realm's pushes may reach: attached to this realm and in (or entering) the world. */
const reachable = (p: Player | undefined, realm: string): p is Player => p !== undefined && p.realm === realm && (p.inWorld || p.phase === "entering");

export class SocialRelay {
  constructor(
    private readonly rt: NodeRuntime,
    private readonly sessions: Sessions,
  ) {}

  start(): void {
    const { rt } = this;
    rt.on(Op.CHAT_DELIVER, (b) => this.deliver(b));
    rt.on(Op.SOCIAL_PUSH, (b) => {
      for (const u of b.updates) this.update(b.realm, u);
    });
    rt.on(Op.CHAT_MUTED, ({ realm, accountId, until }) => {
      const p = this.sessions.byAccount.get(accountId);
      if (!p || p.realm !== realm) return;
      p.guard.mutedUntil = until;
      rt.log.info("player-muted", { accountId, until });
    });
  }

  /** A player in the world sent a social or realm-chat message. */
  message(p: Player, m: SocialMessage, now: number): void {
    if (m.op === PlayerOp.CMSG_CHAT) return this.chat(p, m, now);
    const action = actionOf(m);
    if (!action) return this.result(p, m, "bad-request", "unknown action, or the name or id it needs is empty");
    if (!p.guard.socialRequest(now)) return this.result(p, m, "too-fast", "too many requests too fast; wait a moment");
    const hub = this.sessions.hubOf(p);
    this.ask(p, m, () => this.rt.wire.request(hub.realm.realmNode.id, Op.SOCIAL_REQUEST, { ...action, accountId: p.accountId } as SocialRequestBody, REALM_TIMEOUT_MS));
  }

  /** Say and zone through the zone, as CMSG_SAY / CMSG_ZONE_CHAT; the others through the realm node. */
  private chat(p: Player, m: Extract<SocialMessage, { op: typeof PlayerOp.CMSG_CHAT }>, now: number): void {
    const hub = this.sessions.hubOf(p);
    const channel = REALM_CHANNELS[m.channel];
    const zoneChannel = m.channel === ChatChannel.SAY || m.channel === ChatChannel.ZONE;
    if ((!channel && !zoneChannel) || m.text === "" || (channel === "whisper" && m.to === "")) {
      return this.result(p, m, "bad-request", "an unknown channel, an empty line, or a whisper to nobody");
    }
    if (Buffer.byteLength(m.text) > CHAT_TEXT_MAX) return this.result(p, m, "too-long", `a chat line is at most ${CHAT_TEXT_MAX} bytes`);
    if (!this.lineAllowed(p, now, channel === "global")) return;
    if (zoneChannel) return hub.intent(p, { kind: m.channel === ChatChannel.SAY ? "say" : "zone-chat", text: m.text });
    const line = { accountId: p.accountId, channel: channel!, text: m.text, ...(channel === "whisper" ? { to: m.to } : {}) };
    this.ask(p, m, () => this.rt.wire.request(hub.realm.realmNode.id, Op.CHAT_SEND, line, REALM_TIMEOUT_MS));
  }

  /** The client node's chat limits, for every channel: false (and the player told why) when the line goes nowhere. */
  lineAllowed(p: Player, now: number, global: boolean): boolean {
    const verdict = p.guard.chatLine(now, global);
    if (verdict === "ok") return true;
    const reason = verdict === "muted" ? "muted" : "chat too fast";
    writeServer(p.events, { op: PlayerOp.SMSG_REFUSED, reason });
    if (verdict === "muted" && p.guard.mutedUntil === now + FLOOD_MUTE_MS) this.rt.log.info("player-flood-muted", { accountId: p.accountId, forMs: FLOOD_MUTE_MS });
    return false;
  }

  private ask(p: Player, m: SocialMessage, request: () => Promise<{ ok: boolean; code?: SocialCodeWord; error?: string }>): void {
    request().then(
      (a) => this.result(p, m, a.ok ? undefined : (a.code ?? "unavailable"), a.error ?? ""),
      (err: unknown) => this.result(p, m, "unavailable", `the realm is not answering (${(err as Error).message}); try again`),
    );
  }

  private result(p: Player, m: SocialMessage, code: SocialCodeWord | undefined, text: string): void {
    if (p.phase === "gone") return;
    const action = m.op === PlayerOp.CMSG_CHAT ? m.channel : m.action;
    writeServer(p.events, { op: PlayerOp.SMSG_SOCIAL_RESULT, request: m.op, action, code: code === undefined ? 0 : SOCIAL_CODES[code], text });
  }

  private deliver(b: Body<typeof Op.CHAT_DELIVER>): void {
    const w = writeServer(new ByteWriter(64 + b.text.length * 3), { op: PlayerOp.SMSG_CHAT, channel: CHANNEL_CODES[b.channel], from: 0, fromName: b.fromName, text: b.text });
    const players = b.everyone ? this.sessions.hubs.get(b.realm)?.players ?? [] : b.to.map((a) => this.sessions.byAccount.get(a));
    for (const p of players) if (reachable(p, b.realm)) p.events.raw(w.buf, 0, w.pos);
  }

  private update(realm: string, u: Body<typeof Op.SOCIAL_PUSH>["updates"][number]): void {
    const online = new Set(u.online);
    const member = (m: { characterId: string; name: string }) => ({ characterId: m.characterId, name: m.name, online: online.has(m.characterId) });
    const w = new ByteWriter(256);
    if (u.party) {
      const v = u.party.view;
      writeServer(w, { op: PlayerOp.SMSG_PARTY, id: v?.id ?? "", leader: v?.leader ?? "", members: v?.members.map(member) ?? [] });
    }
    if (u.guild) {
      const v = u.guild.view;
      writeServer(w, { op: PlayerOp.SMSG_GUILD, id: v?.id ?? "", name: v?.name ?? "", members: v?.members.map((m) => ({ ...member(m), rank: GUILD_RANK_CODES[m.rank] })) ?? [] });
    }
    if (u.friends) writeServer(w, { op: PlayerOp.SMSG_FRIENDS, friends: u.friends.map((f) => ({ ...member(f), state: FRIEND_STATE_CODES[f.state] })) });
    if (u.invites) writeServer(w, { op: PlayerOp.SMSG_INVITES, party: u.invites.party, guild: u.invites.guild });
    if (u.presence) writeServer(w, { op: PlayerOp.SMSG_PRESENCE, ...u.presence });
    for (const accountId of u.to) {
      const p = this.sessions.byAccount.get(accountId);
      if (reachable(p, realm)) p.events.raw(w.buf, 0, w.pos);
    }
  }
}
