// A client node's view of one dungeon instance its players are in: a mirror over the dungeon's
// map (sized from DUNGEON_MAPS, as the instance node sizes it) fed from the instance node's PUB,
// and the fanout over it. It lives while a player of this node is inside; the last one out
// releases its cells, which unsubscribes them.
import { Quantizer } from "../../common/cell-snapshot.ts";
import { DUNGEON_MAPS, type DungeonKind } from "../../common/dungeons.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { copyOf, nodeOfWorld } from "../../common/world-address.ts";
import { Fanout } from "./fanout.ts";
import { WorldMirror, type CellSubscriber } from "./world-mirror.ts";

export class DungeonView {
  readonly node: string;
  readonly q: Quantizer;
  readonly mirror: WorldMirror;
  readonly fanout: Fanout;
  /** Players of this node in the fanout of this view. */
  players = 0;

  constructor(
    /** The instance's world id (`INSTANCE-1~3`): its node, and the copy its cell topics carry. */
    readonly world: string,
    readonly kind: DungeonKind,
    realm: RealmSpec,
    feed: CellSubscriber,
  ) {
    const map = DUNGEON_MAPS[kind];
    this.node = nodeOfWorld(world);
    this.q = new Quantizer(map.width, map.height);
    // the dungeon as a one-zone world: the mirror and the fanout need nothing else of a realm
    const shape: RealmSpec = { ...realm, world: { width: map.width, height: map.height, cell: map.cell }, zones: [{ ...realm.zones[0]!, id: this.node, region: [0, 0, map.width, map.height] }] };
    this.mirror = new WorldMirror(shape, this.q, feed, copyOf(world));
    this.fanout = new Fanout(this.mirror, realm.vision);
  }

  get width(): number {
    return this.mirror.realm.world.width;
  }

  get height(): number {
    return this.mirror.realm.world.height;
  }

  get cell(): number {
    return this.mirror.realm.world.cell;
  }
}
