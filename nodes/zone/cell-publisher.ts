// Encodes each watched cell once per tick and publishes it on the node's PUB socket: to each
// client node in its one batch of the tick, with every cell it declared interest in, and on the
// cell's own topic to tools that subscribe to cells (ZeroMQ filters those at the publisher). Each
// client node receives each cell once, however many of its players see it: zone egress stays
// O(cells x client nodes), never O(players²). One socket serves every world of the node: a zone
// and its layers, or an instance.
import * as zmq from "zeromq";
import { writeBatch, type BatchEntry } from "../../common/cell-batch.ts";
import { MAX_RECORDS, newBlock, newRecord, quantizeHeading, writeRecord, type Quantizer } from "../../common/cell-snapshot.ts";
import { batchTopic, cellTopic, copyOf, interestSubscriberAt, isBatchTopic, newTopicAddress, parseTopic } from "../../common/world-address.ts";
import type { Log } from "../../common/log.ts";
import type { Entities } from "./entities.ts";
import type { Grid } from "./grid.ts";

interface Served {
  grid: Grid;
  q: Quantizer;
  copy: number;
  /** Per local cell: whether its own topic is subscribed (tools), as the XPUB socket reports it. */
  subscribed: Uint8Array;
  /** A subscription to the world's bare prefix (tools, spectators): every cell. */
  everything: boolean;
  /** Per local cell: batch subscribers that declared interest in it. */
  wanted: Uint16Array;
  /** This tick's blocks of the wanted cells, for the batches. */
  blocks: Map<number, Buffer>;
  topics: Buffer[];
}

/** A client node taking its cells in batches: its topic, and the cells it wants, per world. */
interface BatchSubscriber {
  topic: Buffer;
  cells: Map<string, Set<number>>;
}

export class CellPublisher {
  private readonly worlds = new Map<string, Served>();
  private readonly batchSubscribers = new Map<string, BatchSubscriber>();
  /** Subscriptions as they came, so a world served later (a new layer or instance) sees earlier ones. */
  private readonly topicsOn = new Set<string>();
  private readonly scratch = newRecord();
  private readonly address = newTopicAddress();
  private pending: Buffer[][] = [];
  private pendingBytes = 0;
  private cellsCollected = 0;
  private sending = false;
  bytesLastTick = 0;
  cellsLastTick = 0;
  skippedTicks = 0;

  constructor(
    private readonly socket: zmq.XPublisher,
    private readonly log: Log,
  ) {}

  serve(worldId: string, grid: Grid, q: Quantizer): void {
    this.worlds.set(worldId, {
      grid,
      q,
      copy: copyOf(worldId),
      subscribed: new Uint8Array(grid.cells),
      everything: false,
      wanted: new Uint16Array(grid.cells),
      blocks: new Map(),
      topics: Array.from({ length: grid.cells }, (_, c) => Buffer.from(cellTopic(worldId, grid.cx(c), grid.cy(c)))),
    });
    // a world served again (an instance reopened) counts its interest afresh
    for (const sub of this.batchSubscribers.values()) sub.cells.delete(worldId);
    for (const topic of this.topicsOn) this.follow(Buffer.from(topic, "latin1"), true);
  }

  unserve(worldId: string): void {
    this.worlds.delete(worldId);
  }

  get subscribedCells(): number {
    let n = 0;
    for (const w of this.worlds.values()) {
      if (w.everything) n += w.subscribed.length;
      else for (let c = 0; c < w.subscribed.length; c++) if (w.subscribed[c]! > 0 || w.wanted[c]! > 0) n++;
    }
    return n;
  }

  /** Whether anyone subscribes to any cell: a world nobody is in or watching may rest. */
  get watched(): boolean {
    return this.topicsOn.size > 0;
  }

  /**
   * Follows (un)subscriptions: XPUB passes the first subscribe and the last unsubscribe of a
   * topic. `subscribed` is told of each subscription, so a resting loop wakes for its watcher.
   */
  async listen(subscribed: () => void = () => {}): Promise<void> {
    try {
      for await (const [msg] of this.socket) {
        if (!msg || msg.length < 2) continue;
        const on = msg[0] === 1;
        const topic = msg.subarray(1);
        // a batch topic only says where batches go: it is no interest in a cell
        if (isBatchTopic(topic)) continue;
        if (on) this.topicsOn.add(topic.toString("latin1"));
        else this.topicsOn.delete(topic.toString("latin1"));
        this.follow(topic, on);
        if (on) subscribed();
      }
    } catch (err) {
      if (!this.socket.closed) this.log.error("subscriptions-failed", { error: (err as Error).message });
    }
  }

  private follow(topic: Buffer, on: boolean): void {
    const at = this.address;
    const subscriberAt = interestSubscriberAt(topic);
    const cellPart = subscriberAt < 0 ? topic : topic.subarray(0, subscriberAt - 1);
    const worldLength = parseTopic(cellPart, at);
    if (worldLength < 0) return;
    const worldId = cellPart.toString("latin1", 0, worldLength);
    const w = this.worlds.get(worldId);
    if (!w) return;
    if (subscriberAt >= 0) {
      const cell = at.everyCell ? -1 : w.grid.local(at.cx, at.cy);
      if (cell >= 0) this.interest(topic.toString("latin1", subscriberAt), worldId, w, cell, on);
      return;
    }
    if (at.everyCell) {
      w.everything = on;
      return;
    }
    const cell = w.grid.local(at.cx, at.cy);
    if (cell >= 0) w.subscribed[cell] = on ? 1 : 0;
  }

  private interest(subscriber: string, worldId: string, w: Served, cell: number, on: boolean): void {
    let sub = this.batchSubscribers.get(subscriber);
    if (!sub) {
      if (!on) return;
      sub = { topic: Buffer.from(batchTopic(subscriber), "latin1"), cells: new Map() };
      this.batchSubscribers.set(subscriber, sub);
    }
    let cells = sub.cells.get(worldId);
    if (on && !cells) sub.cells.set(worldId, (cells = new Set()));
    if (!cells) return;
    if (on && !cells.has(cell)) {
      cells.add(cell);
      w.wanted[cell]!++;
    } else if (!on && cells.delete(cell)) {
      w.wanted[cell]!--;
      if (cells.size === 0) sub.cells.delete(worldId);
      if (sub.cells.size === 0) this.batchSubscribers.delete(subscriber);
    }
  }

  /** Encodes every non-empty subscribed cell of one world, to go out with the next flush. */
  collect(worldId: string, tick: number, serverTime: number, e: Entities): void {
    const w = this.worlds.get(worldId);
    if (!w) return;
    for (let c = 0; c < w.subscribed.length; c++) {
      const members = w.grid.members[c]!;
      const ownTopic = w.subscribed[c] !== 0 || w.everything;
      if ((!ownTopic && w.wanted[c] === 0) || members.length === 0) continue;
      const n = Math.min(members.length, MAX_RECORDS);
      // a fresh block per cell: zeromq.js may send it after this tick has moved on
      const block = newBlock(tick, serverTime, n);
      for (let i = 0; i < n; i++) this.writeEntity(block, i, e, members[i]!, w.q);
      this.cellsCollected++;
      if (w.wanted[c]! > 0) w.blocks.set(c, block);
      if (ownTopic) {
        this.pending.push([w.topics[c]!, block]);
        this.pendingBytes += block.length + w.topics[c]!.length;
      }
    }
  }

  /** Each batch subscriber's cells of this tick, in one message; the worlds' blocks are let go. */
  private batch(): void {
    for (const sub of this.batchSubscribers.values()) {
      const entries: BatchEntry[] = [];
      for (const [worldId, cells] of sub.cells) {
        const w = this.worlds.get(worldId);
        if (!w) continue;
        for (const c of cells) {
          const block = w.blocks.get(c);
          if (block !== undefined) entries.push({ copy: w.copy, cx: w.grid.cx(c), cy: w.grid.cy(c), block });
        }
      }
      if (entries.length === 0) continue;
      const body = writeBatch(entries);
      this.pending.push([sub.topic, body]);
      this.pendingBytes += body.length + sub.topic.length;
    }
    for (const w of this.worlds.values()) w.blocks.clear();
  }

  /** Sends what was collected this tick; if last tick's sends are still queued, this tick's are dropped. */
  flush(): void {
    this.batch();
    const out = this.pending;
    this.bytesLastTick = this.pendingBytes;
    this.cellsLastTick = this.cellsCollected;
    this.pending = [];
    this.pendingBytes = 0;
    this.cellsCollected = 0;
    if (out.length === 0) return;
    if (this.sending) {
      this.skippedTicks++;
      return;
    }
    void this.send(out);
  }

  publish(worldId: string, tick: number, serverTime: number, e: Entities): void {
    this.collect(worldId, tick, serverTime, e);
    this.flush();
  }

  private writeEntity(block: Buffer, i: number, e: Entities, s: number, q: Quantizer): void {
    const r = this.scratch;
    r.id = e.id[s]!;
    r.qx = q.qx(e.x[s]!);
    r.qy = q.qy(e.y[s]!);
    r.heading = quantizeHeading(e.heading[s]!);
    r.kind = e.kind[s]!;
    r.hp = e.maxHp[s]! > 0 ? Math.round((255 * Math.max(0, e.hp[s]!)) / e.maxHp[s]!) : 0;
    r.flags = e.flags[s]!;
    r.template = e.template[s]!;
    r.level = e.level[s]!;
    writeRecord(block, i, r);
  }

  private async send(messages: Buffer[][]): Promise<void> {
    this.sending = true;
    try {
      for (const m of messages) await this.socket.send(m);
    } catch (err) {
      if (!this.socket.closed) this.log.warn("publish-failed", { error: (err as Error).message });
    } finally {
      this.sending = false;
    }
  }
}
