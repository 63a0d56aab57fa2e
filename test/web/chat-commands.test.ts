// The chat box's slash commands: each typed line becomes the player message it names, and a line
// that names nothing (or misses its name) is a hint, never a message.
import t from "tap";
import { ChatChannel, FriendAction, GUILD_RANK_CODES, GuildAction, PartyAction, PlayerOp } from "../../common/player-opcodes.ts";
import { chatCommand } from "../../ops/web/sdk/chat-commands.ts";

t.test("chat commands - lines and slash commands become their messages", async (t) => {
  t.same(chatCommand("hello there", ChatChannel.PARTY), { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.PARTY, to: "", text: "hello there" }, "a plain line goes to the chosen channel");
  t.same(chatCommand("/w Bran meet me  at the gate", ChatChannel.SAY), { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "Bran", text: "meet me  at the gate" });
  t.same(chatCommand("/1 anyone selling?", ChatChannel.SAY), { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "anyone selling?" });
  t.same(chatCommand("/g hi", ChatChannel.SAY), { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GUILD, to: "", text: "hi" });
  t.same(chatCommand("/invite Cora", ChatChannel.SAY), { op: PlayerOp.CMSG_PARTY, action: PartyAction.INVITE, arg: "Cora" });
  t.same(chatCommand("/leave", ChatChannel.SAY), { op: PlayerOp.CMSG_PARTY, action: PartyAction.LEAVE, arg: "" });
  t.same(chatCommand("/unfriend Dain", ChatChannel.SAY), { op: PlayerOp.CMSG_FRIEND, action: FriendAction.REMOVE, name: "Dain" });
  t.same(chatCommand("/gcreate Night Watch", ChatChannel.SAY), { op: PlayerOp.CMSG_GUILD, action: GuildAction.CREATE, arg: "Night Watch", rank: 0 });
  t.same(chatCommand("/grank Dain Officer", ChatChannel.SAY), { op: PlayerOp.CMSG_GUILD, action: GuildAction.RANK, arg: "Dain", rank: GUILD_RANK_CODES.officer });
});

t.test("chat commands - incomplete or unknown commands are hints, not messages", async (t) => {
  for (const line of ["", "   ", "/w Bran", "/w", "/p", "/invite", "/grank Dain chief", "/dance"]) t.ok("error" in chatCommand(line, ChatChannel.SAY), `"${line}"`);
});
