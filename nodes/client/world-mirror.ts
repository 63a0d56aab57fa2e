// One realm's world (or one layer of it: copy k of every zone) as this client node sees it: the
// cells its players need (subscribed as a union, released when nobody needs them) and the
// entities in them. A zone's blocks for one
// tick are staged and applied together when the tick is complete, so the mirror always shows
// each zone at one whole tick: never half a tick, and never an entity in two cells.
import { blockTick, blockTime, EntityFlag, newRecord, readRecord, recordCount, type Quantizer } from "../../common/cell-snapshot.ts";
import { worldId } from "../../common/world-address.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { EntityTable } from "./entity-table.ts";

/** Ticks without a block from a zone before its subscribed cells count as empty. */
const QUIET_TICKS = 10;
/** A handed-over entity vanishes from the old zone a tick or two before the new zone shows it. */
const LEAVING_GRACE_MS = 500;

interface ZoneFeed {
  /** Tick being staged (-1: none), its blocks by cell, and the last tick applied. */
  pending: number;
  staged: Map<number, Buffer>;
  committed: number;
  /** Server time of the committed tick (the zone's clock, ms since 1970). */
  committedTime: number;
  /** Commits so far: entities changed in the latest one are still moving. */
  commits: number;
  lastBlockAt: number;
  /** Subscribed cells of this zone that have shown they are live (block or timeout), and the others: settle looks at these only. */
  confirmed: Set<number>;
  unconfirmed: Set<number>;
  /** Cells with members: a commit empties these only, not every live cell each tick. */
  occupied: Set<number>;
}

export interface CellSubscriber {
  /** `world`: the zone's world id for this layer (`FORTRAX-ZONE-1`, `FORTRAX-ZONE-1~2`). */
  subscribe(world: string, cx: number, cy: number): void;
  unsubscribe(world: string, cx: number, cy: number): void;
}

export class WorldMirror {
  readonly e: EntityTable;
  readonly cols: number;
  readonly rows: number;
  /** Zone ordinal owning each global cell. */
  readonly cellZone: Uint8Array;
  readonly members: number[][];
  private readonly refs: Uint16Array;
  private readonly subscribedAt: Float64Array;
  readonly zones: ZoneFeed[];
  private readonly zoneIndex = new Map<string, number>();
  private readonly unplaced: number[] = [];
  private readonly scratch = newRecord();
  private stampSeq = 1;
  readonly intervalMs: number;
  blocksIn = 0;
  bytesIn = 0;

  constructor(
    readonly realm: RealmSpec,
    readonly q: Quantizer,
    private readonly feed: CellSubscriber,
    /** The layer: 0 is the zones themselves, k their k-th copies (zone~k). */
    readonly copy = 0,
  ) {
    const { width, height, cell } = realm.world;
    this.e = new EntityTable(q.x(1), q.y(1));
    this.cols = Math.ceil(width / cell);
    this.rows = Math.ceil(height / cell);
    const n = this.cols * this.rows;
    this.cellZone = new Uint8Array(n);
    this.members = Array.from({ length: n }, () => []);
    this.refs = new Uint16Array(n);
    this.subscribedAt = new Float64Array(n);
    this.intervalMs = 1000 / realm.tickHz;
    realm.zones.forEach((z, i) => {
      this.zoneIndex.set(z.id, i);
      const [x0, y0, x1, y1] = z.region;
      for (let cy = Math.floor(y0 / cell); cy < Math.ceil(y1 / cell); cy++) {
        for (let cx = Math.floor(x0 / cell); cx < Math.ceil(x1 / cell); cx++) if (cx < this.cols && cy < this.rows) this.cellZone[cy * this.cols + cx] = i;
      }
    });
    this.zones = realm.zones.map(() => ({ pending: -1, staged: new Map(), committed: -1, committedTime: 0, commits: 0, lastBlockAt: 0, confirmed: new Set(), unconfirmed: new Set(), occupied: new Set() }));
  }

  /** The ordinal of a zone node (by node id). */
  zoneOf(node: string): number | undefined {
    return this.zoneIndex.get(node);
  }

  private topicWorld(z: number): string {
    return worldId(this.realm.zones[z]!.id, this.copy);
  }

  cellAt(x: number, y: number): number {
    const c = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.realm.world.cell)));
    const r = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.realm.world.cell)));
    return r * this.cols + c;
  }

  /** A player needs cell `c`: the first one subscribes it. */
  want(c: number, now: number): void {
    if (this.refs[c]!++ > 0) return;
    const z = this.cellZone[c]!;
    this.zones[z]!.unconfirmed.add(c);
    this.subscribedAt[c] = now;
    this.feed.subscribe(this.topicWorld(z), c % this.cols, Math.floor(c / this.cols));
  }

  /** A player no longer needs cell `c`: the last one unsubscribes it and forgets its entities. */
  release(c: number): void {
    if (this.refs[c] === 0 || --this.refs[c]! > 0) return;
    const z = this.cellZone[c]!;
    const feed = this.zones[z]!;
    feed.confirmed.delete(c);
    feed.unconfirmed.delete(c);
    feed.occupied.delete(c);
    feed.staged.delete(c);
    this.feed.unsubscribe(this.topicWorld(z), c % this.cols, Math.floor(c / this.cols));
    for (const s of this.members[c]!) if (this.e.cell[s] === c) this.e.remove(s);
    this.members[c] = [];
  }

  isWanted(c: number): boolean {
    return this.refs[c]! > 0;
  }

  /** One block from a zone's PUB socket (topic already parsed; `node`: the zone node's id). */
  ingest(node: string, cx: number, cy: number, block: Buffer, now: number): void {
    const z = this.zoneIndex.get(node);
    if (z === undefined || cx < 0 || cy < 0 || cx >= this.cols || cy >= this.rows) return;
    const c = cy * this.cols + cx;
    const feed = this.zones[z]!;
    if (this.refs[c] === 0 || this.cellZone[c] !== z) return;
    if (recordCount(block) < 0) return;
    const tick = blockTick(block);
    this.blocksIn++;
    this.bytesIn += block.length;
    feed.lastBlockAt = now;
    // a restarted zone counts ticks from 0 again
    if (tick + 100 < feed.committed) feed.committed = feed.pending = -1;
    if (tick <= feed.committed) return;
    if (feed.pending >= 0 && tick > feed.pending) this.commit(z, now);
    feed.pending = tick;
    feed.staged.set(c, block);
    feed.confirmed.add(c);
    feed.unconfirmed.delete(c);
    // every live cell reported: the tick is whole, no need to wait for the next one
    if (feed.staged.size >= feed.confirmed.size) this.commit(z, now);
  }

  /** Completes ticks of zones that went quiet (blocks stop when all their subscribed cells are empty). */
  settle(now: number): void {
    for (let z = 0; z < this.zones.length; z++) {
      const feed = this.zones[z]!;
      for (const c of feed.unconfirmed) {
        if (now - this.subscribedAt[c]! <= 3 * this.intervalMs) continue;
        feed.confirmed.add(c);
        feed.unconfirmed.delete(c);
      }
      const quiet = now - feed.lastBlockAt;
      if (feed.pending >= 0 && quiet > 1.5 * this.intervalMs) this.commit(z, now);
      else if (feed.pending < 0 && quiet > QUIET_TICKS * this.intervalMs && feed.confirmed.size + feed.unconfirmed.size > 0) {
        // nothing for a while: every subscribed cell of the zone is empty now (zones do not
        // publish empty cells); a zone that merely stalls a few ticks keeps its entities frozen
        feed.lastBlockAt = now;
        feed.commits++;
        // no tick of this zone is shown any more: frames stop naming one until blocks come again
        feed.committed = -1;
        this.emptyCells(feed, now);
      }
    }
    if (this.unplaced.length > 0) this.resolveUnplaced(now);
  }

  private commit(z: number, now: number): void {
    const feed = this.zones[z]!;
    const tick = feed.pending;
    feed.pending = -1;
    if (tick < 0) return;
    feed.committed = tick;
    feed.commits++;
    const r = this.scratch;
    for (const [c, block] of feed.staged) {
      feed.committedTime = blockTime(block);
      const stamp = this.stampSeq++;
      const count = recordCount(block);
      const list: number[] = [];
      for (let i = 0; i < count; i++) {
        readRecord(block, i, r);
        // during a handoff both zones list the entity for a tick; the one not letting go wins
        if (r.flags & EntityFlag.LEAVING && this.heldElsewhere(r.id, z)) continue;
        const s = this.e.upsert(r, z, c, feed.commits, stamp);
        this.e.unplacedAt[s] = 0;
        list.push(s);
      }
      for (const s of this.members[c]!) {
        if (this.e.stamp[s] !== stamp && this.e.cell[s] === c) this.unplace(s, now);
      }
      this.members[c] = list;
      if (list.length > 0) feed.occupied.add(c);
      else feed.occupied.delete(c);
    }
    this.emptyCells(feed, now);
    feed.staged.clear();
    this.resolveUnplaced(now);
  }

  private heldElsewhere(id: number, z: number): boolean {
    const s = this.e.byId.get(id);
    return s !== undefined && this.e.zone[s] !== z && this.e.cell[s] !== -1 && !(this.e.flags[s]! & EntityFlag.LEAVING);
  }

  /** Cells of the zone that had entities and got no block this tick are empty now. */
  private emptyCells(feed: ZoneFeed, now: number): void {
    for (const c of feed.occupied) {
      if (feed.staged.has(c)) continue;
      for (const s of this.members[c]!) if (this.e.cell[s] === c) this.unplace(s, now);
      this.members[c] = [];
      feed.occupied.delete(c);
    }
  }

  private unplace(s: number, now: number): void {
    this.e.cell[s] = -1;
    if (this.e.unplacedAt[s] === 0) this.e.unplacedAt[s] = now;
    this.unplaced.push(s);
  }

  /** Entities that left their cell and showed up nowhere are gone, save those being handed over. */
  private resolveUnplaced(now: number): void {
    let keep = 0;
    for (let i = 0; i < this.unplaced.length; i++) {
      const s = this.unplaced[i]!;
      const e = this.e;
      if (!e.alive[s] || e.cell[s] !== -1) continue;
      if (e.flags[s]! & EntityFlag.LEAVING && now - e.unplacedAt[s]! < LEAVING_GRACE_MS) {
        this.unplaced[keep++] = s;
        continue;
      }
      e.remove(s);
    }
    this.unplaced.length = keep;
  }

  /** The committed tick of each zone, for SMSG_WORLD. */
  tickOf(z: number): number {
    return this.zones[z]!.committed;
  }

  timeOf(z: number): number {
    return this.zones[z]!.committedTime;
  }

  /** Whether the entity changed in the latest commit of its zone (it is still moving). */
  moving(s: number): boolean {
    return this.e.changedAt[s] === this.zones[this.e.zone[s]!]!.commits;
  }

  worldX(s: number): number {
    return this.e.x[s]!;
  }

  worldY(s: number): number {
    return this.e.y[s]!;
  }
}
