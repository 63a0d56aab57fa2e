// Players of a test realm for the social layer: each logs in, lands on the client node the realm
// chose, creates a character and enters the world; helpers send the social and chat messages and
// wait for what the player should see (an answer, a line, a state), or check it saw nothing.
import type { ClientMessage, ServerMessage } from "../../common/player-codec.ts";
import { PlayerOp, SOCIAL_CODES, type SocialCodeWord } from "../../common/player-opcodes.ts";
import { login } from "./front-door.ts";
import { PlayerBot } from "./player-bot.ts";
import { createCharacter } from "./players.ts";
import { until, type TestRealm } from "./realm.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

export interface SocialPlayer {
  name: string;
  account: string;
  /** The client node its connection is on. */
  node: string;
  bot: PlayerBot;
  characterId: string;
}

type Of<O extends number> = Extract<ServerMessage, { op: O }>;

let logins = 0;

/** Logs in (the login nodes in turn) and creates the character `name`, staying in the lobby. */
export async function inLobby(t: Teardown, realm: TestRealm, account: string, password: string, name: string): Promise<SocialPlayer> {
  const nodes = realm.config.login.nodes;
  const answer = await login(nodes[logins++ % nodes.length]!, account, password);
  if (answer.status !== 200) throw new Error(`${account} cannot log in: ${answer.status} ${answer.text}`);
  const node = realm.config.clientNodes.find((c) => answer.body.client === `ws://${c.ws.host}:${c.ws.port}/`)?.id ?? "?";
  const bot = await PlayerBot.connect(answer.body.client, name);
  t.teardown(() => bot.close());
  await bot.hello(answer.body.session);
  const character = await createCharacter(bot, name);
  return { name, account, node, bot, characterId: character.id };
}

/** Logs in, creates the character `name` and enters the world with it. */
export async function joinWorld(t: Teardown, realm: TestRealm, account: string, password: string, name: string): Promise<SocialPlayer> {
  const p = await inLobby(t, realm, account, password, name);
  await p.bot.select(p.characterId);
  return p;
}

/** Sends `m` and waits for its SMSG_SOCIAL_RESULT: the code's word ("ok" when done) and text; a chat limit's SMSG_REFUSED reads "refused: <reason>". */
export async function ask(p: SocialPlayer, m: ClientMessage): Promise<{ code: SocialCodeWord | "ok" | `refused: ${string}`; text: string }> {
  const from = p.bot.messages.length;
  p.bot.send(m);
  const r = await until(`${p.name}: answer to opcode ${m.op}`, 10_000, () =>
    p.bot.messages.slice(from).find((x): x is Of<typeof PlayerOp.SMSG_SOCIAL_RESULT | typeof PlayerOp.SMSG_REFUSED> => (x.op === PlayerOp.SMSG_SOCIAL_RESULT && x.request === m.op) || x.op === PlayerOp.SMSG_REFUSED),
  );
  if (r.op === PlayerOp.SMSG_REFUSED) return { code: `refused: ${r.reason}`, text: r.reason };
  const word = (Object.entries(SOCIAL_CODES).find(([, n]) => n === r.code)?.[0] ?? `code ${r.code}`) as SocialCodeWord;
  return { code: r.code === 0 ? "ok" : word, text: r.text };
}

/** Waits for the newest message of kind `op` (from `since`) that `fits`. */
export function waitFor<O extends number>(p: SocialPlayer, op: O, what: string, fits: (m: Of<O>) => boolean = () => true, since = 0, ms = 10_000): Promise<Of<O>> {
  return until(`${p.name}: ${what}`, ms, () => {
    if (p.bot.closed) throw new Error(`${p.name} closed: ${p.bot.closed.code} ${p.bot.closed.reason}`);
    return p.bot.messages
      .slice(since)
      .reverse()
      .find((x): x is Of<O> => x.op === op && fits(x as Of<O>));
  });
}

/** The chat lines the player got with this text. */
export function linesWith(p: SocialPlayer, text: string): Of<typeof PlayerOp.SMSG_CHAT>[] {
  return p.bot.messages.filter((x): x is Of<typeof PlayerOp.SMSG_CHAT> => x.op === PlayerOp.SMSG_CHAT && x.text === text);
}

/** The latest state of a kind the player was pushed (SMSG_PARTY, _GUILD, _FRIENDS, _INVITES). */
export function latest<O extends number>(p: SocialPlayer, op: O): Of<O> | undefined {
  return [...p.bot.messages].reverse().find((x): x is Of<O> => x.op === op);
}
