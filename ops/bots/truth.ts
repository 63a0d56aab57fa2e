// The server's truth, where the bench can read it: the zones' PUB sockets (every cell of the
// realm's base zones, as a client node receives them). A few bots' views are held against the
// zones' records at the very tick each view says it reflects: an entity more than 2 quanta from
// its record is a view error, one within 90 % of vision in the zone but absent from the view is
// missing. Under the byte budget some of both are expected (changes wait their turn); the counts
// say how far behind the views run. Layers (copies of a zone) are not read.
import { blockTick, newRecord, readRecord, recordCount, type EntityRecord } from "../../common/cell-snapshot.ts";
import { watchZones } from "../../common/mesh/realm-mesh.ts";
import type { ZoneFeed } from "../../common/zone-feed.ts";
import type { RealmSpec, RealmsConfig } from "../../common/topology.ts";
import type { Bot } from "./bot.ts";

/** Ticks kept per zone: a view lags the zone by a few ticks, never by seconds. */
const KEPT_TICKS = 60;
const TOLERANCE_QUANTA = 2;

export interface ViewCheck {
  /** Bot views compared. */
  views: number;
  /** Viewed entities found in the zones' records at the view's tick. */
  compared: number;
  errors: number;
  missing: number;
}

export const newViewCheck = (): ViewCheck => ({ views: 0, compared: 0, errors: 0, missing: 0 });

export class TruthFeed {
  private readonly feed: ZoneFeed;
  /** zone id -> tick -> the cell blocks of that tick. */
  private readonly blocks = new Map<string, Map<number, Buffer[]>>();
  readonly check = newViewCheck();

  constructor(
    private readonly realm: RealmSpec,
    config: RealmsConfig,
  ) {
    for (const z of realm.zones) this.blocks.set(z.id, new Map());
    this.feed = watchZones(config, realm.zones, `bots-truth-${process.pid}`);
    this.feed.start((zone, _topic, block) => {
      const ticks = this.blocks.get(zone);
      if (!ticks || recordCount(block) < 0) return;
      const tick = blockTick(block);
      let list = ticks.get(tick);
      if (!list) {
        ticks.set(tick, (list = []));
        ticks.delete(tick - KEPT_TICKS);
      }
      list.push(block);
    });
  }

  private recordsAt(zone: string, tick: number): Map<number, EntityRecord> | undefined {
    const list = this.blocks.get(zone)?.get(tick);
    if (!list) return undefined;
    const out = new Map<number, EntityRecord>();
    for (const block of list) {
      for (let i = 0, count = recordCount(block); i < count; i++) {
        const r = readRecord(block, i, newRecord());
        out.set(r.id, r);
      }
    }
    return out;
  }

  /** Holds one bot's view against the records of the ticks it reflects. */
  compare(bot: Bot): void {
    const view = bot.link?.view;
    // inside a dungeon the view is the instance's, which this feed of the realm's zones does not hear
    if (!view || !bot.inWorld || view.size === 0 || bot.dungeon) return;
    const truth: Map<number, EntityRecord>[] = [];
    for (const [zone, tick] of view.ticks) {
      const id = this.realm.zones[zone]?.id;
      const records = id === undefined ? undefined : this.recordsAt(id, tick);
      if (records) truth.push(records);
    }
    if (truth.length === 0) return;
    const c = this.check;
    c.views++;
    const seen = view.entities();
    for (const [id, e] of seen) {
      const r = truth.find((t) => t.has(id))?.get(id);
      if (!r) continue;
      c.compared++;
      if (Math.abs(r.qx - e.qx) + Math.abs(r.qy - e.qy) > TOLERANCE_QUANTA) c.errors++;
    }
    const self = truth.find((t) => t.has(bot.entity))?.get(bot.entity);
    if (!self) return;
    const { width, height } = this.realm.world;
    const reach = this.realm.vision * 0.9;
    for (const records of truth) {
      for (const r of records.values()) {
        if (seen.has(r.id)) continue;
        if (Math.hypot(((r.qx - self.qx) * width) / 65535, ((r.qy - self.qy) * height) / 65535) <= reach) c.missing++;
      }
    }
  }

  close(): Promise<void> {
    return this.feed.close();
  }
}
