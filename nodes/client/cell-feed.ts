// The client node's ears on one realm: a SUB socket on each zone's PUB (and on each instance
// node's, for players in dungeons), subscribed to exactly the cells its players need. ZeroMQ
// filters at the publisher, so each cell crosses the network once per tick per client node,
// however many of its players see it.
import type { Log } from "../../common/log.ts";
import type { MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import { cellTopic, newTopicAddress, nodeOfWorld, parseTopic } from "../../common/world-address.ts";
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
  subscribed = 0;

  constructor(
    private readonly realm: RealmSpec,
    private readonly log: Log,
    mesh: MeshIdentity | undefined,
    instances: readonly PubSource[],
  ) {
    // an idle SUB costs nothing: the instance nodes' sockets carry cells only once subscribed
    this.feed = new ZoneFeed([...realm.zones, ...instances], mesh, RECEIVE_HWM);
  }

  /** A cell of a world: the zone's own, one of its layers', or an instance's. */
  subscribe(world: string, cx: number, cy: number): void {
    this.feed.subscribe(nodeOfWorld(world), cellTopic(world, cx, cy));
    this.subscribed++;
  }

  unsubscribe(world: string, cx: number, cy: number): void {
    this.feed.unsubscribe(nodeOfWorld(world), cellTopic(world, cx, cy));
    this.subscribed--;
  }

  start(sink: BlockSink): void {
    // reused for every block: the topic is read without allocating
    const at = newTopicAddress();
    this.feed.start(
      (node, topic, block) => {
        if (parseTopic(topic, at) >= 0 && !at.everyCell) sink(node, at.copy, at.cx, at.cy, block);
      },
      (zone, err) => this.log.error("cell-feed-failed", { realm: this.realm.name, zone, error: err.message }),
    );
  }

  close(): Promise<void> {
    return this.feed.close();
  }
}
