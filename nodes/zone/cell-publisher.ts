// Publishes each watched cell once per tick on the node's PUB socket. ZeroMQ filters by topic at
// the publisher, so each client node receives each cell it subscribed to once, however many of
// its players see it: zone egress stays O(cells x client nodes), never O(players²).
// One socket serves every world of the node: a zone and its layers, or an instance.
import * as zmq from "zeromq";
import { MAX_RECORDS, newBlock, newRecord, quantizeHeading, writeRecord, type Quantizer } from "../../common/cell-snapshot.ts";
import { cellTopic, newTopicAddress, parseTopic } from "../../common/world-address.ts";
import type { Log } from "../../common/log.ts";
import type { Entities } from "./entities.ts";
import type { Grid } from "./grid.ts";

interface Served {
  grid: Grid;
  q: Quantizer;
  /** Subscribers per local cell, as the XPUB socket reports them. */
  subscribed: Uint8Array;
  /** A subscription to the world's bare prefix (tools, spectators): every cell. */
  everything: boolean;
  topics: Buffer[];
}

export class CellPublisher {
  private readonly worlds = new Map<string, Served>();
  /** Subscriptions as they came, so a world served later (a new layer or instance) sees earlier ones. */
  private readonly topicsOn = new Set<string>();
  private readonly scratch = newRecord();
  private readonly address = newTopicAddress();
  private pending: Buffer[][] = [];
  private pendingBytes = 0;
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
      subscribed: new Uint8Array(grid.cells),
      everything: false,
      topics: Array.from({ length: grid.cells }, (_, c) => Buffer.from(cellTopic(worldId, grid.cx(c), grid.cy(c)))),
    });
    for (const topic of this.topicsOn) this.follow(Buffer.from(topic, "latin1"), true);
  }

  unserve(worldId: string): void {
    this.worlds.delete(worldId);
  }

  get subscribedCells(): number {
    let n = 0;
    for (const w of this.worlds.values()) {
      if (w.everything) n += w.subscribed.length;
      else for (const v of w.subscribed) n += v;
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
    const worldLength = parseTopic(topic, at);
    const w = worldLength < 0 ? undefined : this.worlds.get(topic.toString("latin1", 0, worldLength));
    if (!w) return;
    if (at.everyCell) {
      w.everything = on;
      return;
    }
    const cell = w.grid.local(at.cx, at.cy);
    if (cell >= 0) w.subscribed[cell] = on ? 1 : 0;
  }

  /** Encodes every non-empty subscribed cell of one world, to go out with the next flush. */
  collect(worldId: string, tick: number, serverTime: number, e: Entities): void {
    const w = this.worlds.get(worldId);
    if (!w) return;
    for (let c = 0; c < w.subscribed.length; c++) {
      const members = w.grid.members[c]!;
      if ((w.subscribed[c] === 0 && !w.everything) || members.length === 0) continue;
      const n = Math.min(members.length, MAX_RECORDS);
      // a fresh block per cell: zeromq.js may send it after this tick has moved on
      const block = newBlock(tick, serverTime, n);
      for (let i = 0; i < n; i++) this.writeEntity(block, i, e, members[i]!, w.q);
      this.pending.push([w.topics[c]!, block]);
      this.pendingBytes += block.length + w.topics[c]!.length;
    }
  }

  /** Sends what was collected this tick; if last tick's sends are still queued, this tick's are dropped. */
  flush(): void {
    const out = this.pending;
    this.bytesLastTick = this.pendingBytes;
    this.cellsLastTick = out.length;
    this.pending = [];
    this.pendingBytes = 0;
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
