// The client node's ears on one realm: a SUB socket connected to every zone's PUB, subscribed
// to exactly the cells its players need. ZeroMQ filters at the publisher, so each cell crosses
// the network once per tick per client node, however many of its players see it.
import * as zmq from "zeromq";
import { cellTopic } from "../../common/cell-snapshot.ts";
import type { Log } from "../../common/log.ts";
import { connectTo, type MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import type { RealmSpec } from "../../config/model.ts";
import type { CellSubscriber } from "./world-mirror.ts";

/** Blocks queued before ZeroMQ drops: a stalled node must not grow without bound, but a hiccup must not lose cells. */
const RECEIVE_HWM = 50_000;

export type BlockSink = (zone: string, cx: number, cy: number, block: Buffer) => void;

export class CellFeed implements CellSubscriber {
  private readonly sub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: RECEIVE_HWM });
  private loop: Promise<void> | undefined;
  subscribed = 0;

  constructor(
    private readonly realm: RealmSpec,
    private readonly log: Log,
    mesh: MeshIdentity | undefined,
  ) {
    for (const z of realm.zones) connectTo(this.sub, z.id, z.pub, mesh);
  }

  subscribe(zone: string, cx: number, cy: number): void {
    this.sub.subscribe(cellTopic(zone, cx, cy));
    this.subscribed++;
  }

  unsubscribe(zone: string, cx: number, cy: number): void {
    this.sub.unsubscribe(cellTopic(zone, cx, cy));
    this.subscribed--;
  }

  start(sink: BlockSink): void {
    this.loop = this.read(sink);
  }

  private async read(sink: BlockSink): Promise<void> {
    try {
      for await (const [topic, block] of this.sub) {
        if (!topic || !block) continue;
        // "<zone>/<cx>,<cy>/": parsed by hand, this runs for every block
        const t = topic.toString("latin1");
        const slash = t.indexOf("/");
        const comma = t.indexOf(",", slash);
        if (slash < 0 || comma < 0) continue;
        const cx = Number(t.slice(slash + 1, comma));
        const cy = Number(t.slice(comma + 1, t.length - 1));
        if (!Number.isInteger(cx) || !Number.isInteger(cy)) continue;
        sink(t.slice(0, slash), cx, cy, block);
      }
    } catch (err) {
      if (!this.sub.closed) this.log.error("cell-feed-failed", { realm: this.realm.name, error: (err as Error).message });
    }
  }

  async close(): Promise<void> {
    this.sub.close();
    await this.loop;
  }
}
