import t from "tap";
import { DungeonQueue, type Waiting } from "../../nodes/realm/dungeon-queue.ts";

const ask = (accountId: string): Waiting => ({ accountId, characterId: `c-${accountId}`, clientNode: "CLIENT-1", entrance: "crypt-gate", since: 0 });

t.test("dungeon queue - first come first admitted, positions from 1, those behind a removal move up", async (t) => {
  const q = new DungeonQueue();
  const [a, b, c, d] = ["a", "b", "c", "d"].map(ask) as [Waiting, Waiting, Waiting, Waiting];
  t.same([a, b, c, d].map((w) => q.push(w)), [1, 2, 3, 4], "positions in order of asking");
  t.equal(q.head, a, "the first asked is next");
  t.ok(q.has("c") && !q.has("e"), "one entry per account is findable");
  t.same(q.remove(b).map(({ waiting, position }) => [waiting.accountId, position]), [["c", 2], ["d", 3]], "a removal in the middle moves up only those behind it");
  t.same(q.remove(a).map(({ waiting, position }) => [waiting.accountId, position]), [["c", 1], ["d", 2]], "admitting the head moves everyone up");
  t.same(q.remove(a), [], "removing one already gone changes nothing");
  t.equal(q.length, 2);
});
