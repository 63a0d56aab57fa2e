// What a player types in the chat box, as the message it sends: a line on the chosen channel, or
// a slash command as in most MMOs: /w Name text, /p text, /g text, /1 text (global), /s, /z, and
// /invite, /kick, /leader, /leave (party), /friend, /unfriend, /gcreate, /ginvite, /gkick,
// /grank, /gleave (guild). Invitations are answered from the panel (they carry an id).
import type { ClientMessage } from "../../../common/player-codec.ts";
import { ChatChannel, FriendAction, GUILD_RANK_CODES, GuildAction, PartyAction, PlayerOp } from "../../../common/player-opcodes.ts";

const CHANNEL_WORDS: Record<string, number> = {
  s: ChatChannel.SAY,
  say: ChatChannel.SAY,
  z: ChatChannel.ZONE,
  zone: ChatChannel.ZONE,
  p: ChatChannel.PARTY,
  party: ChatChannel.PARTY,
  g: ChatChannel.GUILD,
  guild: ChatChannel.GUILD,
  "1": ChatChannel.GLOBAL,
  global: ChatChannel.GLOBAL,
};

const chat = (channel: number, text: string, to = ""): ClientMessage => ({ op: PlayerOp.CMSG_CHAT, channel, to, text });

/** The message for a typed line (`channel` when it has no slash command), or a hint of what is wrong. */
export function chatCommand(line: string, channel: number): ClientMessage | { error: string } {
  const typed = line.trim();
  if (!typed.startsWith("/")) return typed ? chat(channel, typed) : { error: "nothing to say" };
  const [word = "", arg = "", ...more] = typed.slice(1).split(/\s+/);
  const rest = typed.slice(1 + word.length).trim();
  const command = word.toLowerCase();
  const on = CHANNEL_WORDS[command];
  if (on !== undefined) return rest ? chat(on, rest) : { error: `/${command} needs a line` };
  const needs = (what: string): { error: string } => ({ error: `/${command} needs ${what}` });
  switch (command) {
    case "w":
    case "whisper": {
      const text = rest.slice(arg.length).trim();
      return arg && text ? chat(ChatChannel.WHISPER, text, arg) : needs("a name and a line");
    }
    case "invite":
    case "kick":
    case "leader":
      if (!arg) return needs("a name");
      return { op: PlayerOp.CMSG_PARTY, action: command === "invite" ? PartyAction.INVITE : command === "kick" ? PartyAction.KICK : PartyAction.LEADER, arg };
    case "leave":
      return { op: PlayerOp.CMSG_PARTY, action: PartyAction.LEAVE, arg: "" };
    case "friend":
    case "unfriend":
      if (!arg) return needs("a name");
      return { op: PlayerOp.CMSG_FRIEND, action: command === "friend" ? FriendAction.REQUEST : FriendAction.REMOVE, name: arg };
    case "gcreate":
      return rest ? { op: PlayerOp.CMSG_GUILD, action: GuildAction.CREATE, arg: rest, rank: 0 } : needs("the guild's name");
    case "ginvite":
    case "gkick":
      if (!arg) return needs("a name");
      return { op: PlayerOp.CMSG_GUILD, action: command === "ginvite" ? GuildAction.INVITE : GuildAction.KICK, arg, rank: 0 };
    case "grank": {
      const rank = GUILD_RANK_CODES[(more[0] ?? "").toLowerCase() as keyof typeof GUILD_RANK_CODES];
      return arg && rank ? { op: PlayerOp.CMSG_GUILD, action: GuildAction.RANK, arg, rank } : needs("a name and a rank (leader, officer, member)");
    }
    case "gleave":
      return { op: PlayerOp.CMSG_GUILD, action: GuildAction.LEAVE, arg: "", rank: 0 };
    default:
      return { error: `no command /${command}` };
  }
}
