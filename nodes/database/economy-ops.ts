// The economy: loot, item moves, trades, mail, gold grants and sinks. An item's owner is one
// field (seed 003), so giving an item away is one field change, never a copy and a delete.
// Gold is conserved: only grants and sinks change the total, and each raises an audit event.
import type { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { num } from "../../common/schema.ts";
import { childKey, isCharacterId, META } from "../../common/store/layout.ts";
import { itemRecord, mailRecord, type ItemRecord, type MailRecord } from "../../common/store/records.ts";
import { badAmount, done, refuse, type OpContext, type Outcome } from "./op-context.ts";

const MAX_GOLD = 1e12;

function setOwner(ctx: OpContext, item: ItemRecord, owner: string): void {
  ctx.w.remove("owned", childKey(item.owner, item.id));
  ctx.w.put("items", item.id, { ...item, owner });
  ctx.w.put("owned", childKey(owner, item.id), 1);
}

function addToMeta(ctx: OpContext, key: string, amount: number): void {
  ctx.w.put("meta", key, (ctx.read("meta", key, num()) ?? 0) + amount);
}

/** Loot: new items, each created already owned by the character. */
export function grantItems(ctx: OpContext, b: Body<typeof Op.DB_GRANT_ITEMS>): Outcome {
  if (b.kinds.length === 0) return refuse("invalid-request", "a grant needs at least one item kind");
  if (!ctx.character(b.characterId)) return refuse("not-found", `no character ${b.characterId}`);
  const itemIds = b.kinds.map((kind, n) => {
    const item: ItemRecord = { id: ctx.newId("I", n), kind, owner: b.characterId, at: ctx.at };
    ctx.w.put("items", item.id, item);
    ctx.w.put("owned", childKey(b.characterId, item.id), 1);
    return item.id;
  });
  ctx.audit("loot", { characterId: b.characterId, gold: 0, items: itemIds, detail: b.source });
  return done({ itemIds });
}

/** Compare-and-set on the owner field: the move happens only if `from` still holds the item. */
export function moveItem(ctx: OpContext, b: Body<typeof Op.DB_MOVE_ITEM>): Outcome {
  const item = ctx.read("items", b.itemId, itemRecord);
  if (!item) return refuse("not-found", `no item ${b.itemId}`);
  if (item.owner !== b.from) return refuse("not-owner", `item ${b.itemId} is not held by ${b.from}`);
  if (b.to === b.from) return refuse("invalid-request", "an item cannot move to its own owner");
  if (!isCharacterId(b.to) || !ctx.character(b.to)) return refuse("not-found", `no character ${b.to}`);
  setOwner(ctx, item, b.to);
  ctx.audit("move", { characterId: b.to, counterparty: b.from, gold: 0, items: [item.id] });
  return done({});
}

type Side = Body<typeof Op.DB_TRADE>["a"];

function checkSide(ctx: OpContext, side: Side, label: string): Outcome | ItemRecord[] {
  if (!ctx.character(side.characterId)) return refuse("not-found", `no character ${side.characterId} (side ${label})`);
  const bad = badAmount(side.gold, true);
  if (bad) return refuse("invalid-amount", `side ${label}: ${bad}`);
  if (ctx.gold(side.characterId) < side.gold) return refuse("insufficient-gold", `${side.characterId} has less than ${side.gold} gold`);
  const items: ItemRecord[] = [];
  for (const id of side.items) {
    const item = ctx.read("items", id, itemRecord);
    if (!item) return refuse("not-found", `no item ${id} (side ${label})`);
    if (item.owner !== side.characterId) return refuse("not-owner", `item ${id} is not held by ${side.characterId}`);
    items.push(item);
  }
  return items;
}

/** Both sides give their items and gold in one transaction, or nothing moves at all. */
export function trade(ctx: OpContext, b: Body<typeof Op.DB_TRADE>): Outcome {
  const { a, b: other } = b;
  if (a.characterId === other.characterId) return refuse("invalid-request", "a character cannot trade with itself");
  const all = [...a.items, ...other.items];
  if (new Set(all).size !== all.length) return refuse("invalid-request", "an item appears twice in the trade");
  if (all.length === 0 && a.gold === 0 && other.gold === 0) return refuse("invalid-request", "an empty trade");
  const itemsA = checkSide(ctx, a, "a");
  if (!Array.isArray(itemsA)) return itemsA;
  const itemsB = checkSide(ctx, other, "b");
  if (!Array.isArray(itemsB)) return itemsB;
  for (const item of itemsA) setOwner(ctx, item, other.characterId);
  for (const item of itemsB) setOwner(ctx, item, a.characterId);
  const goldA = ctx.gold(a.characterId) - a.gold + other.gold;
  const goldB = ctx.gold(other.characterId) - other.gold + a.gold;
  ctx.w.put("gold", a.characterId, goldA);
  ctx.w.put("gold", other.characterId, goldB);
  ctx.audit("trade", { characterId: a.characterId, counterparty: other.characterId, gold: other.gold - a.gold, items: other.items, detail: `gave ${a.items.length} items` });
  ctx.audit("trade", { characterId: other.characterId, counterparty: a.characterId, gold: a.gold - other.gold, items: a.items, detail: `gave ${other.items.length} items` });
  return done({ goldA, goldB });
}

/** The attachment leaves the sender at once: while in the mail, the mail owns it. */
export function sendMail(ctx: OpContext, b: Body<typeof Op.DB_SEND_MAIL>): Outcome {
  if (b.from === b.to) return refuse("invalid-request", "a character cannot mail itself");
  if (!ctx.character(b.from)) return refuse("not-found", `no character ${b.from}`);
  if (!ctx.character(b.to)) return refuse("not-found", `no character ${b.to}`);
  const gold = b.gold ?? 0;
  const bad = badAmount(gold, true);
  if (bad) return refuse("invalid-amount", bad);
  if (ctx.gold(b.from) < gold) return refuse("insufficient-gold", `${b.from} has less than ${gold} gold`);
  let item: ItemRecord | undefined;
  if (b.itemId !== undefined) {
    item = ctx.read("items", b.itemId, itemRecord);
    if (!item) return refuse("not-found", `no item ${b.itemId}`);
    if (item.owner !== b.from) return refuse("not-owner", `item ${b.itemId} is not held by ${b.from}`);
  }
  const mail: MailRecord = { id: ctx.newId("M"), from: b.from, to: b.to, text: b.text, gold, sentAt: ctx.at, taken: false };
  if (item) {
    mail.itemId = item.id;
    setOwner(ctx, item, mail.id);
  }
  ctx.w.put("mail", mail.id, mail);
  ctx.w.put("mailbox", childKey(b.to, mail.id), 1);
  if (gold > 0) ctx.w.put("gold", b.from, ctx.gold(b.from) - gold);
  ctx.audit("mail", { characterId: b.from, counterparty: b.to, gold: -gold, items: item ? [item.id] : [], detail: `sent ${mail.id}` });
  return done({ mailId: mail.id });
}

export function takeMail(ctx: OpContext, b: Body<typeof Op.DB_TAKE_MAIL>): Outcome {
  const mail = ctx.read("mail", b.mailId, mailRecord);
  if (!mail) return refuse("not-found", `no mail ${b.mailId}`);
  if (mail.to !== b.characterId) return refuse("not-owner", `mail ${b.mailId} is not addressed to ${b.characterId}`);
  if (mail.taken) return refuse("already-taken", `the attachment of mail ${b.mailId} was already taken`);
  const items: string[] = [];
  if (mail.itemId !== undefined) {
    const item = ctx.read("items", mail.itemId, itemRecord);
    if (item && item.owner === mail.id) {
      setOwner(ctx, item, b.characterId);
      items.push(item.id);
    }
  }
  if (mail.gold > 0) ctx.w.put("gold", b.characterId, ctx.gold(b.characterId) + mail.gold);
  ctx.w.put("mail", mail.id, { ...mail, taken: true });
  ctx.audit("mail", { characterId: b.characterId, counterparty: mail.from, gold: mail.gold, items, detail: `took ${mail.id}` });
  return done({ gold: ctx.gold(b.characterId) });
}

export function listMail(ctx: OpContext, characterId: string): MailRecord[] {
  const out: MailRecord[] = [];
  for (const id of ctx.children("mailbox", characterId, 1000)) {
    const m = ctx.read("mail", id, mailRecord);
    if (m) out.push(m);
  }
  return out;
}

/** Gold entering the economy. */
export function grantGold(ctx: OpContext, b: Body<typeof Op.DB_GRANT_GOLD>): Outcome {
  const bad = badAmount(b.amount, false) ?? (b.amount > MAX_GOLD ? `at most ${MAX_GOLD} gold at once` : undefined);
  if (bad) return refuse("invalid-amount", bad);
  if (!ctx.character(b.characterId)) return refuse("not-found", `no character ${b.characterId}`);
  const gold = ctx.gold(b.characterId) + b.amount;
  ctx.w.put("gold", b.characterId, gold);
  addToMeta(ctx, META.granted, b.amount);
  ctx.audit("grant", { characterId: b.characterId, gold: b.amount, items: [], detail: b.source });
  return done({ gold });
}

/** Gold leaving the economy. */
export function sinkGold(ctx: OpContext, b: Body<typeof Op.DB_SINK_GOLD>): Outcome {
  const bad = badAmount(b.amount, false);
  if (bad) return refuse("invalid-amount", bad);
  if (!ctx.character(b.characterId)) return refuse("not-found", `no character ${b.characterId}`);
  const have = ctx.gold(b.characterId);
  if (have < b.amount) return refuse("insufficient-gold", `${b.characterId} has ${have} gold, less than ${b.amount}`);
  ctx.w.put("gold", b.characterId, have - b.amount);
  addToMeta(ctx, META.sunk, b.amount);
  ctx.audit("sink", { characterId: b.characterId, gold: -b.amount, items: [], detail: b.reason });
  return done({ gold: have - b.amount });
}
