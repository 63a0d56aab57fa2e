// A client node may want thousands of one zone's cells. Its SUB socket sends each want as a
// message, and replays them all at once when the zone restarts: none may be lost to ZeroMQ's
// high-water mark (1,000 by default, past which libzmq drops subscriptions silently).
import t from "tap";
import * as zmq from "zeromq";
import { createLog } from "../../common/log.ts";
import { interestTopic } from "../../common/world-address.ts";
import { ZoneFeed } from "../../common/zone-feed.ts";
import { CellPublisher } from "../../nodes/zone/cell-publisher.ts";
import { Grid } from "../../nodes/zone/grid.ts";
import { freePorts } from "../../ops/free-ports.ts";
import { until } from "../harness/realm.ts";

const WORLD = "SUBS-ZONE";
const SIDE = 4000;
const CELL = 50;

async function publisher(endpoint: string): Promise<{ pub: zmq.XPublisher; cells: CellPublisher; grid: Grid }> {
  const pub = new zmq.XPublisher({ linger: 0 });
  // a socket closed a moment ago may still hold the port: ZeroMQ releases it on its I/O thread
  await until(`${endpoint} to bind`, 5000, () => pub.bind(endpoint).then(() => true, () => undefined));
  const grid = new Grid([0, 0, SIDE, SIDE], CELL);
  const cells = new CellPublisher(pub, createLog("test-zone", "error"));
  cells.serve(WORLD, grid, { qx: () => 0, qy: () => 0 } as never);
  void cells.listen();
  return { pub, cells, grid };
}

t.test("zone feed - 6,400 cells wanted from one zone all reach it, and all come back after the zone restarts", async (t) => {
  const [port] = await freePorts(1);
  const endpoint = `tcp://127.0.0.1:${port}`;
  let zone = await publisher(endpoint);
  t.teardown(() => zone.pub.close());
  const feed = new ZoneFeed([{ id: WORLD, pub: endpoint }], undefined, 1000);
  t.teardown(() => feed.close());
  feed.start(() => {});
  const all = zone.grid.cells;
  t.equal(all, 6400);
  for (let c = 0; c < all; c++) feed.subscribe(WORLD, interestTopic(WORLD, zone.grid.cx(c), zone.grid.cy(c), "CLIENT-1"));
  await until("every cell wanted", 10_000, () => (zone.cells.subscribedCells === all ? true : undefined));
  t.equal(zone.cells.subscribedCells, all, "the zone knows every cell is wanted");

  zone.pub.close();
  zone = await publisher(endpoint);
  // the SUB reconnects (within its 1 s backoff) and replays all 6,400 at once
  await until("every cell wanted again", 15_000, () => (zone.cells.subscribedCells === all ? true : undefined));
  t.equal(zone.cells.subscribedCells, all, "the restarted zone knows every cell is wanted");
});
