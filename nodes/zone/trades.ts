// Trades between two players of one zone copy. An offer waits for the other player's answer;
// accepted, both sides go to the database as one atomic trade (nodes/zone/economy.ts), so the
// zone itself never moves gold or items: it only checks who is near whom.
import { MAX_TRADE_ITEMS } from "../../common/player-codec.ts";

/** How near two characters must stand to trade, world units. */
export const TRADE_RANGE = 10;
/** An offer not answered by then is gone. */
const OFFER_TTL_MS = 10_000;
/** Offers one player may have open at once: more would let one player flood another's screen. */
const OPEN_OFFERS_PER_PLAYER = 4;

export interface TradeSideOf {
  entity: number;
  characterId: string;
  clientNode: string;
  gold: number;
  items: string[];
}

/** Both players said yes: what each gives. */
export interface AgreedTrade {
  offer: number;
  a: TradeSideOf;
  b: TradeSideOf;
}

interface Offer {
  id: number;
  from: number;
  to: number;
  gold: number;
  items: string[];
  at: number;
}

/** Why a side of a trade cannot be offered, or undefined when it can. */
export function badSide(gold: number, items: readonly string[]): string | undefined {
  if (!Number.isInteger(gold) || gold < 0) return "bad gold amount";
  if (items.length > MAX_TRADE_ITEMS) return `more than ${MAX_TRADE_ITEMS} items`;
  if (new Set(items).size !== items.length) return "an item twice";
  return undefined;
}

export class TradeDesk {
  private readonly offers = new Map<number, Offer>();
  private next = 1;

  /** A new offer from one player to another; undefined when the offerer has too many open. */
  open(from: number, to: number, gold: number, items: string[], now: number): Offer | undefined {
    let open = 0;
    for (const o of this.offers.values()) if (o.from === from) open++;
    if (open >= OPEN_OFFERS_PER_PLAYER) return undefined;
    const offer = { id: this.next++, from, to, gold, items, at: now };
    this.offers.set(offer.id, offer);
    return offer;
  }

  /** The offer made to `to`, taken off the desk (accepted or declined). */
  take(id: number, to: number, now: number): Offer | undefined {
    const offer = this.offers.get(id);
    if (!offer || offer.to !== to) return undefined;
    this.offers.delete(id);
    return now - offer.at > OFFER_TTL_MS ? undefined : offer;
  }

  sweep(now: number): void {
    for (const [id, o] of this.offers) if (now - o.at > OFFER_TTL_MS) this.offers.delete(id);
  }

  /** A player left: its offers, made or received, go with it. */
  forget(entity: number): void {
    for (const [id, o] of this.offers) if (o.from === entity || o.to === entity) this.offers.delete(id);
  }
}
