// The trade behavior: bots of one worker pair up (each newcomer with the nearest bot still
// waiting), meet at a spot near the first one's start, and trade there: the leader offers gold
// and now and then an item from its wallet (CMSG_TRADE_OFFER, within 10 units), the other mostly
// accepts, giving some back (CMSG_TRADE_ACCEPT), and sometimes declines. The database's verdict
// (SMSG_TRADE_RESULT) goes into both ledgers (bot.ts).
import type { ServerMessage } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { Bot, Mind } from "./bot.ts";
import { distance, type Point } from "./walk.ts";

const OFFER_EVERY_MS = 4000;
/** Offers expire after 10 s (common/player-protocol.md); one unanswered by then is forgotten. */
const OFFER_LAPSES_MS = 12_000;
const TOGETHER = 5;
const ACCEPT_SHARE = 0.85;
const MAX_GOLD_OFFERED = 20;
const MAX_GOLD_BACK = 10;
const ITEM_SHARE = 0.3;

export interface Pair {
  leader: Bot;
  follower: Bot;
  spot: Point;
}

/** A newcomer pairs with a waiting bot this near at once; with a farther one only after waiting this long. */
const PAIR_NEAR = 100;
const PAIR_WAIT_MS = 10_000;

/** Matches a worker's trading bots two by two as they come into the world, the nearest first. */
export class TradeDesk {
  private readonly waiting = new Map<Bot, number>();
  private readonly pairs = new Map<Bot, Pair>();

  pairOf(bot: Bot, now: number): Pair | undefined {
    const known = this.pairs.get(bot);
    if (known) return known;
    const from = bot.spawn ?? bot;
    let leader: Bot | undefined;
    for (const [w, since] of this.waiting) {
      if (w === bot) continue;
      const d = distance(w.spawn ?? w, from);
      if ((d <= PAIR_NEAR || now - since >= PAIR_WAIT_MS) && (!leader || d < distance(leader.spawn ?? leader, from))) leader = w;
    }
    if (!leader) {
      if (!this.waiting.has(bot)) this.waiting.set(bot, now);
      return undefined;
    }
    this.waiting.delete(leader);
    this.waiting.delete(bot);
    const base = leader.spawn ?? leader;
    // pairs stand a little apart from each other, not all on one point
    const spot = { x: base.x + (leader.random() - 0.5) * 40, y: base.y + (leader.random() - 0.5) * 40 };
    const pair = { leader, follower: bot, spot };
    this.pairs.set(leader, pair);
    this.pairs.set(bot, pair);
    return pair;
  }

  /** The odd one out: waited so long that nobody is left to pair with it. */
  alone(bot: Bot, now: number): boolean {
    const since = this.waiting.get(bot);
    return since !== undefined && now - since >= 2 * PAIR_WAIT_MS;
  }
}

const randomInt = (random: () => number, max: number): number => Math.floor(random() * (max + 1));

export class TradeMind implements Mind {
  private nextOfferAt = 0;
  private openSince: number | undefined;

  constructor(
    private readonly bot: Bot,
    private readonly desk: TradeDesk,
  ) {}

  private partnerOf(pair: Pair): Bot {
    return pair.leader === this.bot ? pair.follower : pair.leader;
  }

  step(now: number): void {
    const bot = this.bot;
    const pair = this.desk.pairOf(bot, now);
    if (!pair) {
      // it stands where it is: the run need not wait for a partner that will never come
      if (this.desk.alone(bot, now)) bot.placed(now);
      return;
    }
    const partner = this.partnerOf(pair);
    const leads = pair.leader === bot;
    bot.walkTo(leads ? pair.spot : { x: pair.spot.x + 1.5, y: pair.spot.y });
    const together = partner.inWorld && distance(bot, partner) < TOGETHER && bot.arrived(1);
    if (!together) return;
    bot.placed(now);
    if (this.openSince !== undefined && now - this.openSince > OFFER_LAPSES_MS) this.openSince = undefined;
    if (!leads || this.openSince !== undefined || now < this.nextOfferAt) return;
    this.nextOfferAt = now + OFFER_EVERY_MS * (0.75 + bot.random() / 2);
    const give = this.gift(MAX_GOLD_OFFERED);
    if (give.gold === 0 && give.items.length === 0) return;
    this.openSince = now;
    bot.counters.tradesOffered++;
    bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: partner.entity, ...give });
  }

  /** Some gold it has, and now and then one of its items. */
  private gift(maxGold: number): { gold: number; items: string[] } {
    const bot = this.bot;
    const wallet = bot.ledger.wallet;
    const gold = Math.min(wallet?.gold ?? 0, randomInt(bot.random, maxGold));
    const items = wallet && wallet.items.length > 0 && bot.random() < ITEM_SHARE ? [wallet.items[randomInt(bot.random, wallet.items.length - 1)]!.id] : [];
    return { gold, items };
  }

  heard(m: ServerMessage, now: number): void {
    const bot = this.bot;
    if (m.op === PlayerOp.SMSG_TRADE_RESULT) {
      this.openSince = undefined;
      return;
    }
    if (m.op !== PlayerOp.SMSG_TRADE_OFFERED) return;
    const pair = this.desk.pairOf(bot, now);
    if (pair && m.from === this.partnerOf(pair).entity && bot.random() < ACCEPT_SHARE) {
      bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: m.offer, ...this.gift(MAX_GOLD_BACK) });
      return;
    }
    bot.counters.tradesDeclined++;
    bot.send({ op: PlayerOp.CMSG_TRADE_DECLINE, offer: m.offer });
  }
}
