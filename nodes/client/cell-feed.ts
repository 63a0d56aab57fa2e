// The client node's ears on one realm: a SUB socket on each zone's PUB (and on each instance
// node's, for players in dungeons), declaring interest in exactly the cells its players need.
// Each zone sends this node one batch a tick with those cells, so each cell crosses the network
// once per tick per client node, however many of its players see it.
import { readBatch } from "../../common/cell-batch.ts";
import type { Log } from "../../common/log.ts";
import type { MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import { RepeatCounter } from "../../common/mesh/repeat-counter.ts";
import { batchTopic, interestTopic, isBatchTopic, nodeOfWorld } from "../../common/world-address.ts";
import { ZoneFeed } from "../../common/zone-feed.ts";
import type { RealmSpec } from "../../common/topology.ts";
import type { CellSubscriber } from "./world-mirror.ts";

/** Blocks queued before ZeroMQ drops: a stalled node must not grow without bound, but a hiccup must not lose cells. */
const RECEIVE_HWM = 50_000;

/** A node publishing cells: a zone, or an instance node of the pool. */
export interface PubSource {
  id: string;
  pub: string;
}

/** One cell block: the zone (or instance) node that published it, the copy of the zone (0: the zone itself) or the instance, the cell. */
type BlockSink = (node: string, copy: number, cx: number, cy: number, block: Buffer) => void;

export class CellFeed implements CellSubscriber {
  private readonly feed: ZoneFeed;
  private readonly badBatches = new RepeatCounter();
  subscribed = 0;

  constructor(
    private readonly realm: RealmSpec,
    /** This client node's id: the zones address its batches by it. */
    private readonly subscriber: string,
    private readonly log: Log,
    mesh: MeshIdentity | undefined,
    instances: readonly PubSource[],
  ) {
    const sources = [...realm.zones, ...instances];
    // an idle SUB costs nothing: the instance nodes' sockets carry cells only once subscribed
    this.feed = new ZoneFeed(sources, mesh, RECEIVE_HWM);
    for (const s of sources) this.feed.subscribe(s.id, batchTopic(subscriber));
  }

  /** A cell of a world: the zone's own, one of its layers', or an instance's. */
  subscribe(world: string, cx: number, cy: number): void {
    this.feed.subscribe(nodeOfWorld(world), interestTopic(world, cx, cy, this.subscriber));
    this.subscribed++;
  }

  unsubscribe(world: string, cx: number, cy: number): void {
    this.feed.unsubscribe(nodeOfWorld(world), interestTopic(world, cx, cy, this.subscriber));
    this.subscribed--;
  }

  start(sink: BlockSink): void {
    this.feed.start(
      (node, topic, body) => {
        if (!isBatchTopic(topic)) return;
        if (readBatch(body, (copy, cx, cy, block) => sink(node, copy, cx, cy, block)) >= 0) return;
        // a zone gone wrong sends one every tick: the first and then every power of two, with the count
        const n = this.badBatches.count(node);
        if (RepeatCounter.worthALine(n)) this.log.warn("bad-cell-batch", { realm: this.realm.name, zone: node, bytes: body.length, dropped: n });
      },
      (zone, err) => this.log.error("cell-feed-failed", { realm: this.realm.name, zone, error: err.message }),
    );
  }

  close(): Promise<void> {
    return this.feed.close();
  }
}
