// Publishes each watched cell once per tick on the zone's PUB socket. ZeroMQ filters by topic at
// the publisher, so each client node receives each cell it subscribed to once, however many of
// its players see it: zone egress stays O(cells x client nodes), never O(players²).
import * as zmq from "zeromq";
import { HEADER_BYTES, RECORD_BYTES, MAX_RECORDS, cellTopic, newRecord, quantizeHeading, writeHeader, writeRecord, type Quantizer } from "../../common/cell-snapshot.ts";
import type { Log } from "../../common/log.ts";
import type { Entities } from "./entities.ts";
import type { Grid } from "./grid.ts";

export class CellPublisher {
  /** Subscribers per local cell, as the XPUB socket reports them. */
  private readonly subscribed: Uint8Array;
  private readonly topics: Buffer[];
  private readonly scratch = newRecord();
  private sending = false;
  /** A subscription to the zone's bare prefix (tools, spectators): every cell. */
  private everything = false;
  bytesLastTick = 0;
  cellsLastTick = 0;
  skippedTicks = 0;

  constructor(
    private readonly zoneId: string,
    private readonly grid: Grid,
    private readonly q: Quantizer,
    private readonly socket: zmq.XPublisher,
    private readonly log: Log,
  ) {
    this.subscribed = new Uint8Array(grid.cells);
    this.topics = Array.from({ length: grid.cells }, (_, c) => Buffer.from(cellTopic(zoneId, grid.cx(c), grid.cy(c))));
  }

  get subscribedCells(): number {
    if (this.everything) return this.subscribed.length;
    let n = 0;
    for (const v of this.subscribed) n += v;
    return n;
  }

  /** Follows (un)subscriptions: XPUB passes the first subscribe and the last unsubscribe of a topic. */
  async listen(): Promise<void> {
    const prefix = `${this.zoneId}/`;
    try {
      for await (const [msg] of this.socket) {
        if (!msg || msg.length < 2) continue;
        const on = msg[0] === 1;
        const topic = msg.subarray(1).toString("latin1");
        if (topic === prefix) {
          this.everything = on;
          continue;
        }
        const m = topic.startsWith(prefix) ? /^(-?\d+),(-?\d+)\/$/.exec(topic.slice(prefix.length)) : null;
        if (!m) continue;
        const cell = this.grid.local(Number(m[1]), Number(m[2]));
        if (cell >= 0) this.subscribed[cell] = on ? 1 : 0;
      }
    } catch (err) {
      if (!this.socket.closed) this.log.error("subscriptions-failed", { error: (err as Error).message });
    }
  }

  /** Encodes and sends every non-empty subscribed cell; a tick whose sends are still queued is skipped. */
  publish(tick: number, serverTime: number, e: Entities): void {
    if (this.sending) {
      this.skippedTicks++;
      return;
    }
    const out: Buffer[][] = [];
    let bytes = 0;
    for (let c = 0; c < this.subscribed.length; c++) {
      const members = this.grid.members[c]!;
      if ((this.subscribed[c] === 0 && !this.everything) || members.length === 0) continue;
      const n = Math.min(members.length, MAX_RECORDS);
      // a fresh block per cell: zeromq.js may send it after this tick has moved on
      const block = Buffer.allocUnsafe(HEADER_BYTES + n * RECORD_BYTES);
      writeHeader(block, tick, serverTime, n);
      for (let i = 0; i < n; i++) this.writeEntity(block, i, e, members[i]!);
      out.push([this.topics[c]!, block]);
      bytes += block.length + this.topics[c]!.length;
    }
    this.bytesLastTick = bytes;
    this.cellsLastTick = out.length;
    if (out.length > 0) void this.send(out);
  }

  private writeEntity(block: Buffer, i: number, e: Entities, s: number): void {
    const r = this.scratch;
    r.id = e.id[s]!;
    r.qx = this.q.qx(e.x[s]!);
    r.qy = this.q.qy(e.y[s]!);
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
