// Players the whole way in: log in over HTTP, open the WebSocket the login answer names, create
// characters and select one, as a game client does.
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { CharacterEntry, Entered } from "../../common/player-codec.ts";
import { login } from "./front-door.ts";
import { PlayerBot } from "./player-bot.ts";
import { until, type TestRealm } from "./realm.ts";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

export async function createCharacter(bot: PlayerBot, name: string): Promise<CharacterEntry> {
  const from = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_CHAR_CREATE, name });
  return until(`${name} created`, 8000, () => {
    const m = bot.messages.slice(from).find((x) => x.op === PlayerOp.SMSG_CHAR_CREATED || x.op === PlayerOp.SMSG_CHAR_REFUSED);
    if (m?.op === PlayerOp.SMSG_CHAR_REFUSED) throw new Error(`${name} refused: ${m.text}`);
    return m?.op === PlayerOp.SMSG_CHAR_CREATED ? m.character : undefined;
  });
}

async function loggedIn(t: Teardown, realm: TestRealm, account: string, password: string, loginIndex: number): Promise<PlayerBot> {
  const nodes = realm.config.login.nodes;
  const answer = await login(nodes[loginIndex % nodes.length]!, account, password);
  if (answer.status !== 200) throw new Error(`${account} cannot log in: ${answer.status} ${JSON.stringify(answer.body)}`);
  const bot = await PlayerBot.connect(answer.body.client, account);
  t.teardown(() => bot.close());
  await bot.hello(answer.body.session);
  return bot;
}

/** Logs in again and enters the world with the account's character called `name`. */
export async function returnToWorld(t: Teardown, realm: TestRealm, account: string, password: string, name: string, loginIndex = 0): Promise<{ bot: PlayerBot; entered: Entered; character: CharacterEntry }> {
  const bot = await loggedIn(t, realm, account, password, loginIndex);
  const from = bot.messages.length;
  bot.send({ op: PlayerOp.CMSG_CHAR_LIST });
  const character = await until(`${account}'s characters`, 8000, () => {
    const list = bot.messages.slice(from).find((m) => m.op === PlayerOp.SMSG_CHAR_LIST);
    if (list?.op !== PlayerOp.SMSG_CHAR_LIST) return undefined;
    const found = list.characters.find((c) => c.name === name);
    if (!found) throw new Error(`${account} has no character ${name}`);
    return found;
  });
  return { bot, entered: await bot.select(character.id), character };
}

/**
 * Logs `account` in through login node `loginIndex`, creates `characters` in order and enters
 * the world with the last. New characters start at the zones' centres in turn, so creating one
 * more first moves the next one to the other zone's centre.
 */
export async function enterWorld(t: Teardown, realm: TestRealm, account: string, password: string, characters: string[], loginIndex = 0): Promise<{ bot: PlayerBot; entered: Entered; character: CharacterEntry }> {
  const bot = await loggedIn(t, realm, account, password, loginIndex);
  let character: CharacterEntry | undefined;
  for (const name of characters) character = await createCharacter(bot, name);
  if (!character) throw new Error("enterWorld needs a character name");
  const entered = await bot.select(character.id);
  return { bot, entered, character };
}
