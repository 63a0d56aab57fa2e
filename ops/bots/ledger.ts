// A bot's record of the economy as the server acknowledged it: every SMSG_LOOT (sent only once
// the database committed the item), every SMSG_TRADE_RESULT that says done, every gold grant
// the database answered, and the last wallet the server showed. A chaos run holds these against
// the database and the audit: nothing acknowledged may be missing there. Its party as last pushed
// is held against the database too.
import type { TradeResult, WalletItem } from "../../common/player-codec.ts";

type LedgerEvent =
  | { kind: "loot"; at: number; opId: string; itemId: string; item: number; target: number }
  | { kind: "trade"; at: number; opId: string; offer: number; goldChange: number; gold: number; received: string[]; given: string[] }
  | { kind: "grant"; at: number; opId: string; amount: number; gold: number };

/** A party as the realm told the player of it: its id ("" for none) and its members' character ids, sorted. */
export interface PartySeen {
  id: string;
  members: string[];
}

interface Wallet {
  at: number;
  gold: number;
  items: WalletItem[];
}

export interface BotLedger {
  account: string;
  characterId: string | undefined;
  character: string;
  /** The wallet as last shown by SMSG_WALLET, with what was acknowledged since applied. */
  wallet: Wallet | undefined;
  events: LedgerEvent[];
  /** The party as last pushed (SMSG_PARTY); undefined when the realm never said. */
  party: PartySeen | undefined;
}

/** Keeps the wallet in step with an acknowledged trade. */
export function applyTrade(wallet: Wallet | undefined, r: TradeResult, at: number): Wallet | undefined {
  if (!wallet || !r.ok) return wallet;
  const given = new Set(r.given);
  return { at, gold: r.gold, items: [...wallet.items.filter((i) => !given.has(i.id)), ...r.received.map((id) => ({ id, kind: "" }))] };
}
