// The database node's inbox: which opcode runs which operation, as a read of the committed
// state or as a change through the group commit.
import { Op } from "../../common/opcodes.ts";
import type { ItemView } from "../../common/protocol/db.ts";
import { checkStore, describeProblem } from "../../common/store/invariants.ts";
import { itemRecord, open, opRecord } from "../../common/store/records.ts";
import { createCharacter, deleteCharacter, listCharacters, loadCharacter, saveCheckpoint } from "./character-ops.ts";
import type { DatabaseNode } from "./database-node.ts";
import { grantGold, grantItems, listMail, moveItem, sendMail, sinkGold, takeMail, trade } from "./economy-ops.ts";
import { friendChange, friendKind } from "./friend-ops.ts";
import { guildChange, guildKind } from "./guild-ops.ts";
import { done, refuse } from "./op-context.ts";
import { partyChange, partyKind } from "./party-ops.ts";
import { findCharacter, loadSocial } from "./social-ops.ts";

export function registerOperations(node: DatabaseNode): void {
  const { rt } = node;

  // ---- reads
  node.read(Op.DB_LIST_CHARACTERS, (ctx, b) => done(listCharacters(ctx, b.accountId)));
  node.read(Op.DB_LOAD_CHARACTER, (ctx, b) => loadCharacter(ctx, b.characterId));
  node.read(Op.DB_LIST_MAIL, (ctx, b) => done(listMail(ctx, b.characterId)));
  node.read(Op.DB_LOAD_ITEMS, (ctx, b) => {
    const items: ItemView[] = [];
    for (const id of b.itemIds) {
      const item = ctx.read("items", id, itemRecord);
      if (item) items.push(item);
    }
    return done(items);
  });
  node.read(Op.DB_OP_STATUS, (ctx, b) => {
    const raw = ctx.store.t.ops.get(b.opId);
    if (raw === undefined) return refuse("not-found", `no operation ${b.opId} was applied (or its result has expired)`);
    const rec = open(raw, opRecord);
    return done(rec.code === undefined ? { kind: rec.kind, seq: rec.seq, ok: rec.ok } : { kind: rec.kind, seq: rec.seq, ok: rec.ok, code: rec.code });
  });
  node.read(Op.DB_SOCIAL_LOAD, (ctx, b) => loadSocial(ctx, b.characterId));
  node.read(Op.DB_FIND_CHARACTER, (ctx, b) => findCharacter(ctx, b.name));
  node.read(Op.DB_CHECK, (ctx) => {
    const r = checkStore(ctx.store);
    return done({ seq: r.seq, generation: r.generation, counts: r.counts, goldHeld: r.goldHeld, granted: r.granted, sunk: r.sunk, problems: r.problems.length, sample: r.problems.slice(0, 50).map(describeProblem) });
  });
  // stats answer in every state: they are how an operator sees a recovery
  rt.on(Op.DB_STATS, (b, from) => node.reply(from, b.corr, done(node.stats())));

  // ---- changes (each carries an opId: a repeat returns the first result)
  node.mutate(Op.DB_CREATE_CHARACTER, "create-character", createCharacter);
  node.mutate(Op.DB_DELETE_CHARACTER, "delete-character", deleteCharacter);
  node.mutate(Op.DB_SAVE_CHECKPOINT, "checkpoint", saveCheckpoint);
  node.mutate(Op.DB_GRANT_ITEMS, "grant-items", grantItems);
  node.mutate(Op.DB_MOVE_ITEM, "move-item", moveItem);
  node.mutate(Op.DB_TRADE, "trade", trade);
  node.mutate(Op.DB_SEND_MAIL, "send-mail", sendMail);
  node.mutate(Op.DB_TAKE_MAIL, "take-mail", takeMail);
  node.mutate(Op.DB_GRANT_GOLD, "grant-gold", grantGold);
  node.mutate(Op.DB_SINK_GOLD, "sink-gold", sinkGold);
  node.mutate(Op.DB_GUILD, guildKind, guildChange);
  node.mutate(Op.DB_PARTY, partyKind, partyChange);
  node.mutate(Op.DB_FRIEND, friendKind, friendChange);

  // ---- the backup node
  rt.on(Op.DB_REPLICA_PULL, (b, from) => {
    const blocked = node.unavailable();
    if (blocked || !node.feed) return node.reply(from, b.corr, blocked ?? refuse("unavailable", "recovering"));
    node.feed.pull(b.generation, b.afterSeq, b.maxBytes, (batch) => node.reply(from, b.corr, done(batch)));
  });
  rt.on(Op.DB_COPY_OPEN, (b, from) => {
    void node.offerCopy().then(
      (o) => node.reply(from, b.corr, o),
      (err: Error) => node.reply(from, b.corr, refuse("copy-failed", err.message)),
    );
  });
  rt.on(Op.DB_COPY_CHUNK, (b, from) => {
    const data = node.files.chunk(b.fileId, b.offset);
    node.reply(from, b.corr, data ? done({ data }) : refuse("not-found", `no file ${b.fileId} on offer (it expired); open a new copy`));
  });
  rt.on(Op.DB_RESTORE, (b, from) => {
    rt.log.warn("restore-requested", { from, snapshotId: b.snapshotId });
    void node.restoreSnapshot(b.snapshotId).then((o) => node.reply(from, b.corr, o));
  });
}
