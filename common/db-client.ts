// How other nodes use the database node: one method per operation, answers parsed with their
// schema, refusals as DbError with a code. A call that gets no answer is retried with the same
// operation id (the database applies an id once, so a retry is safe); after the last attempt it
// fails with `unavailable`. Each attempt carries the moment its caller stops waiting, and the
// database refuses an attempt that arrives later, so `unavailable` means nothing was applied.
import { randomUUID } from "node:crypto";
import { DbError, TimeoutError, WrongReplyError } from "./errors.ts";
import { Op, opName } from "./opcodes.ts";
import {
  character,
  characterList,
  characterSummary,
  checkpointSaved,
  dbStatsValue,
  goldBalance,
  grantedItems,
  itemList,
  mailList,
  nothing,
  opStatus,
  sentMail,
  storeCheck,
  tradeDone,
  type Character,
  type CharacterSummary,
  type DbReply,
  type DbStats,
  type ItemView,
  type MailView,
  type OpStatus,
  type StoreCheck,
} from "./protocol/db.ts";
import type { Request, RequestsAnsweredBy } from "./protocol/index.ts";
import {
  friendsResult,
  guildResult,
  partyResult,
  socialView,
  type DbFriendRequest,
  type DbGuildRequest,
  type DbPartyRequest,
  type FriendView,
  type GuildView,
  type PartyView,
  type SocialView,
} from "./protocol/social.ts";
import type { Schema } from "./schema.ts";
import type { Wire } from "./wire.ts";

export type { Character, CharacterSummary, ItemView, MailView, OpStatus, StoreCheck, DbStats, FriendView, GuildView, PartyView, SocialView };

/** A social change as its caller gives it: the client adds the corr and the attempt's expiry. */
type SocialChange<R> = R extends unknown ? Omit<R, "corr" | "expiresAt" | "opId"> : never;

/** Every request the database node answers (with DB_REPLY). */
type DbRequestOp = RequestsAnsweredBy<typeof Op.DB_REPLY>;

export const DB_UNAVAILABLE = "the realm's database is unavailable; try again shortly";

interface DatabaseClientOptions {
  /** Wait for one attempt, ms (default 2000). */
  timeoutMs?: number;
  /** Further attempts after the first times out (default 2). */
  retries?: number;
}

/** What an attempt leaves the database to commit and answer in, before the caller's own timer fires. */
const MARGIN_MS = 300;

export interface TradeSide {
  characterId: string;
  items: string[];
  gold: number;
}

export class DatabaseClient {
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(
    private readonly wire: Wire,
    readonly databaseNodeId: string,
    opts: DatabaseClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.retries = opts.retries ?? 2;
  }

  // ---- characters (the realm node)

  listCharacters(accountId: string): Promise<CharacterSummary[]> {
    return this.read(Op.DB_LIST_CHARACTERS, { accountId }, characterList);
  }

  createCharacter(accountId: string, name: string, x: number, y: number, opId: string = randomUUID()): Promise<CharacterSummary> {
    return this.change(Op.DB_CREATE_CHARACTER, { opId, accountId, name, x, y }, characterSummary);
  }

  async deleteCharacter(accountId: string, characterId: string, opId: string = randomUUID()): Promise<void> {
    await this.change(Op.DB_DELETE_CHARACTER, { opId, accountId, characterId }, nothing);
  }

  loadCharacter(characterId: string): Promise<Character> {
    return this.read(Op.DB_LOAD_CHARACTER, { characterId }, character);
  }

  // ---- zones

  /** `version` must grow with every checkpoint of the character: a stale one is refused (`stale-checkpoint`). */
  async saveCheckpoint(characterId: string, version: number, state: { level: number; x: number; y: number; stats: Record<string, number> }, opId: string = randomUUID()): Promise<number> {
    return (await this.change(Op.DB_SAVE_CHECKPOINT, { opId, characterId, version, ...state }, checkpointSaved)).version;
  }

  /** Loot: new items owned by the character; returns their ids. */
  async grantItems(characterId: string, kinds: string[], source: string, opId: string = randomUUID()): Promise<string[]> {
    return (await this.change(Op.DB_GRANT_ITEMS, { opId, characterId, kinds, source }, grantedItems)).itemIds;
  }

  async moveItem(itemId: string, from: string, to: string, opId: string = randomUUID()): Promise<void> {
    await this.change(Op.DB_MOVE_ITEM, { opId, itemId, from, to }, nothing);
  }

  /** All or nothing; returns both new balances. */
  trade(a: TradeSide, b: TradeSide, opId: string = randomUUID()): Promise<{ goldA: number; goldB: number }> {
    return this.change(Op.DB_TRADE, { opId, a, b }, tradeDone);
  }

  async sendMail(from: string, to: string, text: string, attach: { itemId?: string; gold?: number } = {}, opId: string = randomUUID()): Promise<string> {
    const body: Request<typeof Op.DB_SEND_MAIL> = { opId, from, to, text };
    if (attach.itemId !== undefined) body.itemId = attach.itemId;
    if (attach.gold !== undefined) body.gold = attach.gold;
    return (await this.change(Op.DB_SEND_MAIL, body, sentMail)).mailId;
  }

  /** Takes a mail's attachment; returns the character's new gold balance. */
  async takeMail(characterId: string, mailId: string, opId: string = randomUUID()): Promise<number> {
    return (await this.change(Op.DB_TAKE_MAIL, { opId, characterId, mailId }, goldBalance)).gold;
  }

  listMail(characterId: string): Promise<MailView[]> {
    return this.read(Op.DB_LIST_MAIL, { characterId }, mailList);
  }

  async grantGold(characterId: string, amount: number, source: string, opId: string = randomUUID()): Promise<number> {
    return (await this.change(Op.DB_GRANT_GOLD, { opId, characterId, amount, source }, goldBalance)).gold;
  }

  async sinkGold(characterId: string, amount: number, reason: string, opId: string = randomUUID()): Promise<number> {
    return (await this.change(Op.DB_SINK_GOLD, { opId, characterId, amount, reason }, goldBalance)).gold;
  }

  loadItems(itemIds: string[]): Promise<ItemView[]> {
    return this.read(Op.DB_LOAD_ITEMS, { itemIds }, itemList);
  }

  // ---- guilds, friends, parties (the realm node, for the character in `change.characterId`)

  /** The guild as the change left it; undefined when the actor is in none now. */
  async guild(change: SocialChange<DbGuildRequest>, opId: string = randomUUID()): Promise<GuildView | undefined> {
    return (await this.change(Op.DB_GUILD, { ...change, opId }, guildResult)).guild;
  }

  /** The actor's friends list as the change left it. */
  async friend(change: SocialChange<DbFriendRequest>, opId: string = randomUUID()): Promise<FriendView[]> {
    return (await this.change(Op.DB_FRIEND, { ...change, opId }, friendsResult)).friends;
  }

  /** The party as the change left it; undefined when the actor is in none now. */
  async party(change: SocialChange<DbPartyRequest>, opId: string = randomUUID()): Promise<PartyView | undefined> {
    return (await this.change(Op.DB_PARTY, { ...change, opId }, partyResult)).party;
  }

  loadSocial(characterId: string): Promise<SocialView> {
    return this.read(Op.DB_SOCIAL_LOAD, { characterId }, socialView);
  }

  /** Refused with `not-found` when no character of the realm has that name. */
  findCharacter(name: string): Promise<CharacterSummary> {
    return this.read(Op.DB_FIND_CHARACTER, { name }, characterSummary);
  }

  // ---- operators and tests

  opStatus(opId: string): Promise<OpStatus> {
    return this.read(Op.DB_OP_STATUS, { opId }, opStatus);
  }

  check(timeoutMs = 60_000): Promise<StoreCheck> {
    return this.once(Op.DB_CHECK, {}, storeCheck, timeoutMs);
  }

  stats(): Promise<DbStats> {
    return this.read(Op.DB_STATS, {}, dbStatsValue);
  }

  // ---- the calls

  private read<O extends DbRequestOp, T>(op: O, body: Request<O>, schema: Schema<T>): Promise<T> {
    return this.attempts(op, () => body, schema);
  }

  /** A change carries the moment its attempt expires (any `expiresAt` given is replaced). */
  private change<O extends DbRequestOp, T>(op: O, body: Request<O>, schema: Schema<T>): Promise<T> {
    return this.attempts(op, () => ({ ...body, expiresAt: Date.now() + Math.max(this.timeoutMs - MARGIN_MS, this.timeoutMs / 2) }), schema);
  }

  private async attempts<O extends DbRequestOp, T>(op: O, body: () => Request<O>, schema: Schema<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(op, body(), schema, this.timeoutMs);
      } catch (err) {
        // no answer in time, or the database got this attempt only after we stopped waiting: nothing was applied
        const unanswered = err instanceof TimeoutError || (err instanceof DbError && err.code === "expired");
        if (!unanswered) throw err;
        if (attempt >= this.retries) throw new DbError("unavailable", DB_UNAVAILABLE);
      }
    }
  }

  private async once<O extends DbRequestOp, T>(op: O, body: Request<O>, schema: Schema<T>, timeoutMs: number): Promise<T> {
    const reply: DbReply = await this.wire.request(this.databaseNodeId, op, body, timeoutMs).catch((err: unknown) => {
      throw err instanceof WrongReplyError ? new DbError("bad-reply", err.message) : err;
    });
    if (!reply.ok) {
      const code = reply.code ?? "refused";
      // the database's own "not now" (recovering, restoring) reads the same to a player as no answer
      throw new DbError(code, code === "unavailable" ? (reply.error ?? DB_UNAVAILABLE) : (reply.error ?? code));
    }
    try {
      return schema.parse(reply.value ?? {});
    } catch (err) {
      throw new DbError("bad-reply", `${this.databaseNodeId} answered ${opName(op)} with an unexpected value: ${(err as Error).message}`);
    }
  }
}
