// What players earn and exchange, made durable before they hear of it: loot becomes theirs and a
// trade happens only once the database node has committed it, and only then does the player get
// SMSG_LOOT or SMSG_TRADE_RESULT. While the database is away (restarting, recovering) an
// operation waits and is tried again with the same operation id, which the database applies at
// most once, so a retry can neither lose nor double anything.
import { randomUUID } from "node:crypto";
import type { DatabaseClient } from "../../common/db-client.ts";
import { DbError } from "../../common/errors.ts";
import type { Log } from "../../common/log.ts";
import { NoticeKind } from "../../common/player-opcodes.ts";
import type { ZoneEvent } from "../../common/protocol/zone.ts";
import type { AgreedTrade, TradeSideOf } from "./trades.ts";

/** How long an operation waits for the database before the player is told it failed. */
const PAUSE_LIMIT_MS = 120_000;
const RETRY_EVERY_MS = 1000;
/** Item kinds read per request when a wallet is loaded (the database's own cap). */
const ITEMS_PER_READ = 1000;

interface EconomyOptions {
  db: DatabaseClient;
  log: Log;
  /** Sends one event to the player (see deliverEvent in world-service.ts). */
  deliver(entity: number, clientNode: string, ev: ZoneEvent): void;
}

export class Economy {
  looted = 0;
  traded = 0;
  refused = 0;
  /** Operations that had to wait for the database (it was away); the count of waits, not of failures. */
  waited = 0;

  constructor(private readonly opts: EconomyOptions) {}

  /** A player took a drop: the item becomes theirs in the database, then they hear of it. */
  loot(characterId: string, entity: number, clientNode: string, target: number, item: number, source: string): void {
    const opId = randomUUID();
    const tell = [{ entity, clientNode }];
    void this.durably("loot", tell, () => this.opts.db.grantItems(characterId, [`item-${item}`], source, opId)).then(
      (itemIds) => {
        this.looted++;
        this.tell(entity, clientNode, { entity, kind: "loot", target, amount: item, items: itemIds.slice(0, 1), opId });
      },
      (err: Error) => {
        this.refused++;
        this.opts.log.warn("loot-not-granted", { character: characterId, item, opId, error: err.message });
        this.tell(entity, clientNode, { entity, kind: "refused", reason: "loot lost: the realm's storage did not answer" });
      },
    );
  }

  /** Two players agreed: one atomic trade in the database, then both hear the verdict. */
  trade(t: AgreedTrade): void {
    const opId = randomUUID();
    const { a, b } = t;
    const side = ({ characterId, gold, items }: TradeSideOf) => ({ characterId, gold, items });
    void this.durably("trade", [a, b], () => this.opts.db.trade(side(a), side(b), opId)).then(
      ({ goldA, goldB }) => {
        this.traded++;
        this.tell(a.entity, a.clientNode, { entity: a.entity, kind: "trade-result", offer: t.offer, ok: true, opId, amount: b.gold - a.gold, gold: goldA, received: b.items, given: a.items });
        this.tell(b.entity, b.clientNode, { entity: b.entity, kind: "trade-result", offer: t.offer, ok: true, opId, amount: a.gold - b.gold, gold: goldB, received: a.items, given: b.items });
      },
      (err: Error) => {
        this.refused++;
        const reason = err instanceof DbError ? err.code : "failed";
        for (const side of [a, b]) this.tell(side.entity, side.clientNode, { entity: side.entity, kind: "trade-result", offer: t.offer, ok: false, opId, reason });
      },
    );
  }

  /** The player's gold and items as the database has them (on entering the world, after a resume). */
  async wallet(characterId: string, entity: number, clientNode: string): Promise<void> {
    try {
      const c = await this.opts.db.loadCharacter(characterId);
      const kinds = new Map<string, string>();
      for (let i = 0; i < c.inventory.length; i += ITEMS_PER_READ) {
        for (const item of await this.opts.db.loadItems(c.inventory.slice(i, i + ITEMS_PER_READ))) kinds.set(item.id, item.kind);
      }
      this.tell(entity, clientNode, { entity, kind: "wallet", gold: c.gold, items: c.inventory, kinds: c.inventory.map((id) => kinds.get(id) ?? "") });
    } catch (err) {
      this.opts.log.warn("wallet-not-loaded", { character: characterId, error: (err as Error).message });
    }
  }

  private tell(entity: number, clientNode: string, ev: ZoneEvent): void {
    this.opts.deliver(entity, clientNode, ev);
  }

  /** Runs `op` until the database answers; the players involved hear once that it waits. */
  private async durably<T>(what: string, players: { entity: number; clientNode: string }[], op: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + PAUSE_LIMIT_MS;
    let told = false;
    for (;;) {
      try {
        return await op();
      } catch (err) {
        if (!(err instanceof DbError && err.code === "unavailable") || Date.now() > giveUpAt) throw err;
        if (!told) {
          told = true;
          this.waited++;
          this.opts.log.warn("economy-waits", { what, error: err.message });
          for (const p of players) this.tell(p.entity, p.clientNode, { entity: p.entity, kind: "notice", amount: NoticeKind.STORAGE_PAUSED, text: `your ${what} waits for the realm's storage` });
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
      }
    }
  }
}
