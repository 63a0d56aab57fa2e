// Publishes each watched cell once per tick on the zone's PUB socket. ZeroMQ filters by topic at
// the publisher, so each client node receives each cell it subscribed to once, however many of
// its players see it: zone egress stays O(cells x client nodes), never O(players²).
import * as zmq from "zeromq";
import { HEADER_BYTES, RECORD_BYTES, MAX_RECORDS, cellTopic, newRecord, quantizeHeading, writeHeader, writeRecord, type Quantizer } from "../../common/cell-snapshot.ts";
import type { Log } from "../../common/log.ts";
import type { Entities } from "./entities.ts";
import type { Grid } from "./grid.ts";

interface Served {
  zoneId: string;
  grid: Grid;
  q: Quantizer;
  /** Subscribers per local cell, as the XPUB socket reports them. */
  subscribed: Uint8Array;
  topics: Buffer[];
}

export class CellPublisher {
  private world: Served | undefined;
  /** Subscriptions as they came, so a world served later (a new instance) sees the earlier ones. */
  private readonly topicsOn = new Set<string>();
  private readonly scratch = newRecord();
  private sending = false;
  /** A subscription to the zone's bare prefix (tools, spectators): every cell. */
  private everything = false;
  bytesLastTick = 0;
  cellsLastTick = 0;
  skippedTicks = 0;

  constructor(
    private readonly socket: zmq.XPublisher,
    private readonly log: Log,
  ) {}

  /** Publishes this world's cells from now on (a zone: once; an instance node: per instance). */
  serve(zoneId: string, grid: Grid, q: Quantizer): void {
    const world: Served = {
      zoneId,
      grid,
      q,
      subscribed: new Uint8Array(grid.cells),
      topics: Array.from({ length: grid.cells }, (_, c) => Buffer.from(cellTopic(zoneId, grid.cx(c), grid.cy(c)))),
    };
    this.world = world;
    this.everything = false;
    for (const topic of this.topicsOn) this.follow(topic, true);
  }

  /** Stops publishing (an instance closed). */
  unserve(): void {
    this.world = undefined;
  }

  get subscribedCells(): number {
    const w = this.world;
    if (!w) return 0;
    if (this.everything) return w.subscribed.length;
    let n = 0;
    for (const v of w.subscribed) n += v;
    return n;
  }

  /** Follows (un)subscriptions: XPUB passes the first subscribe and the last unsubscribe of a topic. */
  async listen(): Promise<void> {
    try {
      for await (const [msg] of this.socket) {
        if (!msg || msg.length < 2) continue;
        const on = msg[0] === 1;
        const topic = msg.subarray(1).toString("latin1");
        if (on) this.topicsOn.add(topic);
        else this.topicsOn.delete(topic);
        this.follow(topic, on);
      }
    } catch (err) {
      if (!this.socket.closed) this.log.error("subscriptions-failed", { error: (err as Error).message });
    }
  }

  private follow(topic: string, on: boolean): void {
    const w = this.world;
    if (!w) return;
    const prefix = `${w.zoneId}/`;
    if (topic === prefix) {
      this.everything = on;
      return;
    }
    const m = topic.startsWith(prefix) ? /^(-?\d+),(-?\d+)\/$/.exec(topic.slice(prefix.length)) : null;
    if (!m) return;
    const cell = w.grid.local(Number(m[1]), Number(m[2]));
    if (cell >= 0) w.subscribed[cell] = on ? 1 : 0;
  }

  /** Encodes and sends every non-empty subscribed cell; a tick whose sends are still queued is skipped. */
  publish(tick: number, serverTime: number, e: Entities): void {
    const w = this.world;
    if (!w) return;
    if (this.sending) {
      this.skippedTicks++;
      return;
    }
    const out: Buffer[][] = [];
    let bytes = 0;
    for (let c = 0; c < w.subscribed.length; c++) {
      const members = w.grid.members[c]!;
      if ((w.subscribed[c] === 0 && !this.everything) || members.length === 0) continue;
      const n = Math.min(members.length, MAX_RECORDS);
      // a fresh block per cell: zeromq.js may send it after this tick has moved on
      const block = Buffer.allocUnsafe(HEADER_BYTES + n * RECORD_BYTES);
      writeHeader(block, tick, serverTime, n);
      for (let i = 0; i < n; i++) this.writeEntity(block, i, e, members[i]!, w.q);
      out.push([w.topics[c]!, block]);
      bytes += block.length + w.topics[c]!.length;
    }
    this.bytesLastTick = bytes;
    this.cellsLastTick = out.length;
    if (out.length > 0) void this.send(out);
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
