// The character operations: list, create, delete, load, checkpoint. The realm node calls the
// first four while players pick a character; zones checkpoint positions and stats.
import type { Body } from "../../common/protocol/index.ts";
import type { Op } from "../../common/opcodes.ts";
import type { Character, CharacterSummary } from "../../common/protocol/db.ts";
import { num } from "../../common/schema.ts";
import { childKey, META, nameKey } from "../../common/store/layout.ts";
import { characterRecord, mailRecord, type CharacterRecord } from "../../common/store/records.ts";
import { forgetFriends } from "./friend-ops.ts";
import { forgetInGuilds } from "./guild-ops.ts";
import { done, outOfWorld, refuse, validId, type OpContext, type Outcome } from "./op-context.ts";
import { forgetInParties } from "./party-ops.ts";

const MAX_CHARACTERS_PER_ACCOUNT = 10;
const NAME = /^\p{L}[\p{L}' -]{1,22}\p{L}$/u;
const MAX_LEVEL = 1000;

export function summaryOf(c: CharacterRecord): CharacterSummary {
  return { id: c.id, accountId: c.accountId, name: c.name, level: c.level, x: c.x, y: c.y };
}

export function listCharacters(ctx: OpContext, accountId: string): CharacterSummary[] {
  const out: CharacterSummary[] = [];
  for (const id of ctx.children("byAccount", accountId, MAX_CHARACTERS_PER_ACCOUNT * 2)) {
    const c = ctx.character(id);
    if (c) out.push(summaryOf(c));
  }
  return out;
}

export function loadCharacter(ctx: OpContext, characterId: string): Outcome {
  const c = ctx.character(characterId);
  if (!c) return refuse("not-found", `no character ${characterId}`);
  const value: Character = { ...summaryOf(c), stats: c.stats, gold: ctx.gold(c.id), inventory: ctx.children("owned", c.id), version: c.version };
  return done(value);
}

export function createCharacter(ctx: OpContext, b: Body<typeof Op.DB_CREATE_CHARACTER>): Outcome {
  const name = b.name.trim();
  if (!validId(b.accountId)) return refuse("invalid-request", `account id ${JSON.stringify(b.accountId)} is not an id`);
  if (!NAME.test(name)) return refuse("invalid-name", `"${name}" is not a valid name: 3 to 24 letters, spaces, apostrophes or hyphens, starting and ending with a letter`);
  const outside = outOfWorld(ctx.world, b.x, b.y);
  if (outside) return refuse("out-of-world", outside);
  if (ctx.children("byAccount", b.accountId, MAX_CHARACTERS_PER_ACCOUNT + 1).length >= MAX_CHARACTERS_PER_ACCOUNT) {
    return refuse("too-many-characters", `an account may have at most ${MAX_CHARACTERS_PER_ACCOUNT} characters on this realm`);
  }
  if (ctx.store.t.names.get(nameKey(name)) !== undefined) return refuse("name-taken", `the name "${name}" is already taken on this realm`);
  const c: CharacterRecord = { id: ctx.newId("C"), accountId: b.accountId, name, level: 1, x: b.x, y: b.y, stats: {}, version: 0, createdAt: ctx.at };
  ctx.w.put("characters", c.id, c);
  ctx.w.put("gold", c.id, 0);
  ctx.w.put("names", nameKey(name), c.id);
  ctx.w.put("byAccount", childKey(b.accountId, c.id), 1);
  return done(summaryOf(c));
}

/**
 * Deleting a character destroys what it holds: its gold and items leave the economy as sinks.
 * In the same operation it leaves its guild and party (passing the lead) and every friends list.
 */
export function deleteCharacter(ctx: OpContext, b: Body<typeof Op.DB_DELETE_CHARACTER>): Outcome {
  const c = ctx.character(b.characterId);
  if (!c) return refuse("not-found", `no character ${b.characterId}`);
  if (c.accountId !== b.accountId) return refuse("not-owner", `character ${c.id} does not belong to account ${b.accountId}`);
  let sunkGold = ctx.gold(c.id);
  const destroyed = ctx.children("owned", c.id);
  const mails = ctx.children("mailbox", c.id);
  const mailRecords = mails.map((id) => ctx.read("mail", id, mailRecord));
  for (const item of destroyed) {
    ctx.w.remove("items", item);
    ctx.w.remove("owned", childKey(c.id, item));
  }
  mails.forEach((mailId, i) => {
    const m = mailRecords[i];
    if (m && !m.taken) {
      sunkGold += m.gold;
      if (m.itemId !== undefined) {
        destroyed.push(m.itemId);
        ctx.w.remove("items", m.itemId);
        ctx.w.remove("owned", childKey(mailId, m.itemId));
      }
    }
    ctx.w.remove("mail", mailId);
    ctx.w.remove("mailbox", childKey(c.id, mailId));
  });
  forgetInGuilds(ctx, c.id);
  forgetInParties(ctx, c.id);
  forgetFriends(ctx, c.id);
  ctx.w.remove("characters", c.id);
  ctx.w.remove("gold", c.id);
  ctx.w.remove("names", nameKey(c.name));
  ctx.w.remove("byAccount", childKey(c.accountId, c.id));
  if (sunkGold > 0) ctx.w.put("meta", META.sunk, (ctx.read("meta", META.sunk, num()) ?? 0) + sunkGold);
  if (sunkGold > 0 || destroyed.length > 0) {
    ctx.audit("sink", { characterId: c.id, gold: -sunkGold, items: destroyed.slice(0, 64), detail: `character ${c.name} deleted` });
  }
  return done({});
}

/** A checkpoint carries its own number; one not above the stored number is stale and changes nothing. */
export function saveCheckpoint(ctx: OpContext, b: Body<typeof Op.DB_SAVE_CHECKPOINT>): Outcome {
  const c = ctx.character(b.characterId);
  if (!c) return refuse("not-found", `no character ${b.characterId}`);
  if (!Number.isSafeInteger(b.version) || b.version < 1) return refuse("invalid-request", `checkpoint version must be a whole number from 1, got ${b.version}`);
  if (b.version <= c.version) return refuse("stale-checkpoint", `checkpoint ${b.version} of ${c.id} is not newer than the stored ${c.version}; ignored`);
  if (!Number.isInteger(b.level) || b.level < 1 || b.level > MAX_LEVEL) return refuse("invalid-request", `level must be 1..${MAX_LEVEL}, got ${b.level}`);
  const outside = outOfWorld(ctx.world, b.x, b.y);
  if (outside) return refuse("out-of-world", outside);
  const next: CharacterRecord = { ...c, level: b.level, x: b.x, y: b.y, stats: b.stats, version: b.version };
  ctx.w.put("characters", c.id, characterRecord.parse(next));
  return done({ version: b.version });
}
