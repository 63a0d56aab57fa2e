import t from "tap";
import { alternate, loadNow, spreadOf, spreadText } from "../../ops/bench/rounds.ts";

t.test("bench rounds - the two sides alternate which runs first, every round both run", async (t) => {
  const order: string[] = [];
  const side = (name: string) => async (): Promise<number> => {
    order.push(name);
    return order.length;
  };
  const { a, b } = await alternate(3, side("ours"), side("peer"));
  t.same(order, ["ours", "peer", "peer", "ours", "ours", "peer"]);
  t.same(a, [1, 4, 5], "ours' results in round order");
  t.same(b, [2, 3, 6], "the peer's results in round order");
});

t.test("bench rounds - a figure is the median of its rounds, with its range", async (t) => {
  t.same(spreadOf([3, 1, 2]), { median: 2, min: 1, max: 3 });
  t.equal(spreadText([1.5, 1.2, 1.41]), "1.41 (1.20-1.50)");
  t.equal(spreadText([2]), "2.00", "one round: no range");
  t.ok(Number.isNaN(spreadOf([]).median), "no rounds: no figure");
  t.match(loadNow(), /^\d+\.\d\d \d+\.\d\d \d+\.\d\d on \d+ cores$/);
});
