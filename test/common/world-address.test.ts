// World ids and cell topics: what is built reads back the same, and a topic of another shape is
// refused, so neither the client node nor the zone takes a stray subscription or block for a cell.
import t from "tap";
import { cellTopic, copyOf, newTopicAddress, nodeOfWorld, parseTopic, WORLD_ID, worldId, worldTopic, type TopicAddress } from "../../common/world-address.ts";

const parse = (topic: string): { worldLength: number; at: TopicAddress } => {
  const at = newTopicAddress();
  return { worldLength: parseTopic(Buffer.from(topic, "latin1"), at), at };
};

t.test("world address - world ids: node and copy out of what worldId built", async (t) => {
  for (const [node, copy] of [["FORTRAX-ZONE-1", 0], ["FORTRAX-ZONE-1", 2], ["INSTANCE-1", 17]] as const) {
    const world = worldId(node, copy);
    t.equal(nodeOfWorld(world), node, `${world}: its node`);
    t.equal(copyOf(world), copy, `${world}: its copy`);
    t.match(world, WORLD_ID, `${world}: a valid world id`);
  }
  t.equal(worldId("FORTRAX-ZONE-1", 0), "FORTRAX-ZONE-1", "a zone itself has no copy mark");
  t.equal(worldId("FORTRAX-ZONE-1", 2), "FORTRAX-ZONE-1~2");
  t.notMatch("FORTRAX-ZONE-1~", WORLD_ID, "a mark without a copy");
  t.notMatch("FORTRAX/ZONE", WORLD_ID, "a slash would break the topic");
});

t.test("world address - a cell topic reads back as its copy and cell", async (t) => {
  t.equal(cellTopic("Z", 3, 40), "Z/3,40/");
  for (const [world, cx, cy] of [["FORTRAX-ZONE-1", 0, 0], ["FORTRAX-ZONE-1~2", 3, 40], ["INSTANCE-1~7", 123456, 9]] as const) {
    const { worldLength, at } = parse(cellTopic(world, cx, cy));
    t.equal(worldLength, world.length, `${world}: the world id's length`);
    t.same(at, { copy: copyOf(world), everyCell: false, cx, cy }, `${world} ${cx},${cy}`);
  }
  const prefix = parse(worldTopic("FORTRAX-ZONE-1~3"));
  t.equal(prefix.worldLength, "FORTRAX-ZONE-1~3".length);
  t.same(prefix.at, { copy: 3, everyCell: true, cx: -1, cy: -1 }, "the bare world prefix is every cell");
});

t.test("world address - a topic of another shape is refused", async (t) => {
  for (const topic of ["", "/", "/1,2/", "Z", "Z/1,2", "Z/1/", "Z/1,/", "Z/,2/", "Z/-1,2/", "Z/1,2/3/", "Z/1,2/x", "Z/a,2/", "Z/1 ,2/", "Z~/1,2/", "Z~x/1,2/", "Z/1234567890,1/"]) {
    t.equal(parse(topic).worldLength, -1, JSON.stringify(topic));
  }
});
