// The client node's ears on one realm: a SUB socket on each zone's PUB, subscribed to exactly the
// cells its players need. ZeroMQ filters at the publisher, so each cell crosses the network once
// per tick per client node, however many of its players see it.
import { cellTopic } from "../../common/cell-snapshot.ts";
import type { Log } from "../../common/log.ts";
import type { MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import { ZoneFeed } from "../../common/zone-feed.ts";
import type { RealmSpec } from "../../config/model.ts";
import type { CellSubscriber } from "./world-mirror.ts";

/** Blocks queued before ZeroMQ drops: a stalled node must not grow without bound, but a hiccup must not lose cells. */
const RECEIVE_HWM = 50_000;

export type BlockSink = (zone: string, cx: number, cy: number, block: Buffer) => void;

export class CellFeed implements CellSubscriber {
  private readonly feed: ZoneFeed;
  subscribed = 0;

  constructor(
    private readonly realm: RealmSpec,
    private readonly log: Log,
    mesh: MeshIdentity | undefined,
  ) {
    this.feed = new ZoneFeed(realm.zones, mesh, RECEIVE_HWM);
  }

  subscribe(zone: string, cx: number, cy: number): void {
    this.feed.subscribe(zone, cellTopic(zone, cx, cy));
    this.subscribed++;
  }

  unsubscribe(zone: string, cx: number, cy: number): void {
    this.feed.unsubscribe(zone, cellTopic(zone, cx, cy));
    this.subscribed--;
  }

  start(sink: BlockSink): void {
    this.feed.start(
      (zone, topic, block) => {
        // "<zone>/<cx>,<cy>/": parsed by hand, this runs for every block
        const t = topic.toString("latin1");
        const slash = t.indexOf("/");
        const comma = t.indexOf(",", slash);
        if (slash < 0 || comma < 0) return;
        const cx = Number(t.slice(slash + 1, comma));
        const cy = Number(t.slice(comma + 1, t.length - 1));
        if (!Number.isInteger(cx) || !Number.isInteger(cy)) return;
        sink(zone, cx, cy, block);
      },
      (zone, err) => this.log.error("cell-feed-failed", { realm: this.realm.name, zone, error: err.message }),
    );
  }

  close(): Promise<void> {
    return this.feed.close();
  }
}
