// The benchmark charts are SVG a browser opens: well-formed tags, one line per series, every point
// inside the plot area on linear and log axes, and no crash on empty series or bad numbers.
import t from "tap";
import { PLOT, plot, renderChart, tickLabel, type Chart } from "../../ops/bench/chart.ts";

/** Checks that every tag closes in order; returns the tag names met, or the first fault. */
function tagsOf(svg: string): { names: string[]; fault?: string } {
  const open: string[] = [];
  const names: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (open.pop() !== name) return { names, fault: `</${name}> closes nothing open` };
    } else {
      names.push(name!);
      if (!selfClosing) open.push(name!);
    }
  }
  // text between tags must not hold a stray angle bracket or a bare ampersand
  const text = svg.replace(/<[^>]*>/g, "");
  if (/[<>]|&(?!(amp|lt|gt|quot|apos);)/.test(text)) return { names, fault: "unescaped text" };
  if (open.length > 0) return { names, fault: `<${open.join(">, <")}> never closed` };
  return { names };
}

/** Every x,y of every polyline and circle marker in the plot. */
function plotted(svg: string): { lines: [number, number][][]; markers: [number, number][] } {
  const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) =>
    m[1]!
      .split(" ")
      .filter(Boolean)
      .map((p) => p.split(",").map(Number) as [number, number]),
  );
  const markers = [...svg.matchAll(/<circle cx="([^"]+)" cy="([^"]+)" r="[^"]+" fill="[^"]+"><title>/g)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
  return { lines, markers };
}

const inside = ([x, y]: [number, number]): boolean => x >= PLOT.left && x <= PLOT.right && y >= PLOT.top && y <= PLOT.bottom;

const chart = (over: Partial<Chart>): Chart => ({
  name: "c",
  title: "tick <p99> & friends",
  x: { label: "entities" },
  y: { label: "ms" },
  series: [],
  ...over,
});

t.test("bench chart - well-formed SVG with a polyline, markers and a legend entry per series", async (t) => {
  const svg = renderChart(
    chart({
      series: [
        { name: "ours", points: [[500, 1.2], [2000, 2.5], [5000, 6]] },
        { name: "naive \"N²\"", points: [[500, 3], [2000, 30], [5000, 180]] },
        { name: "budget", points: [[500, 50], [5000, 50]] },
      ],
    }),
  );
  const tags = tagsOf(svg);
  t.equal(tags.fault, undefined, "every tag closes and the text is escaped");
  t.equal(tags.names[0], "svg", "the root is <svg>");
  t.match(svg, /xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const { lines, markers } = plotted(svg);
  t.equal(lines.length, 3, "one polyline per series");
  t.same(lines.map((l) => l.length), [3, 3, 2], "each polyline has its series' points");
  t.equal(markers.length, 8, "one marker per point");
  t.ok([...lines.flat(), ...markers].every(inside), "every point is inside the plot area");
  t.match(svg, /tick &lt;p99&gt; &amp; friends/, "the title, escaped");
  t.match(svg, /naive &quot;N²&quot;/, "the legend names each series");
  t.match(svg, />entities</, "the x label");
  t.match(svg, />ms</, "the y label");
  const [ours] = lines;
  t.ok(ours![0]![0] < ours![2]![0] && ours![0]![1] > ours![2]![1], "larger x is to the right, larger y is higher");
});

t.test("bench chart - a log scale ticks each decade (1-2-5 over few decades) and spaces decades evenly", async (t) => {
  const svg = renderChart(chart({ x: { label: "players", log: true }, y: { label: "bytes", log: true }, series: [{ name: "n²", points: [[10, 100], [100, 10_000], [1000, 1_000_000]] }] }));
  t.equal(tagsOf(svg).fault, undefined);
  for (const label of ["10", "100", "1k", "10k", "1M"]) t.match(svg, new RegExp(`>${label}<`), `a tick labelled ${label}`);
  t.match(svg, /\(log\)/, "the axis label says log");
  const [line] = plotted(svg).lines;
  t.equal(line!.length, 3);
  t.ok(line!.every(inside), "every point is inside the plot area");
  const [a, b, c] = line!;
  t.ok(Math.abs(b![0] - a![0] - (c![0] - b![0])) < 0.5, "each decade of x is as wide as the next");
  t.ok(Math.abs(a![1] - b![1] - (b![1] - c![1])) < 0.5, "each two decades of y are as tall as the next two");
  const narrow = renderChart(chart({ y: { label: "ms", log: true }, series: [{ name: "p99", points: [[1, 3], [2, 40]] }] }));
  for (const label of ["5", "10", "20", "50"]) t.match(narrow, new RegExp(`>${label}<`), `few decades: a tick at ${label}`);
  t.notMatch(narrow, />100</, "the axis ends at the 1-2-5 step above the data, not a decade further");
});

t.test("bench chart - empty and one-point series draw without crashing", async (t) => {
  const empty = renderChart(chart({ series: [] }));
  t.equal(tagsOf(empty).fault, undefined);
  t.match(empty, /no data/, "an empty chart says so");
  const hollow = renderChart(chart({ x: { label: "x", log: true }, y: { label: "y", log: true }, series: [{ name: "nothing", points: [] }] }));
  t.equal(tagsOf(hollow).fault, undefined);
  t.equal(plotted(hollow).lines.length, 1, "an empty series still has its (empty) polyline and legend entry");
  for (const log of [false, true]) {
    const one = renderChart(chart({ x: { label: "x", log }, y: { label: "y", log }, series: [{ name: "one", points: [[7, 7]] }, { name: "none", points: [] }] }));
    t.equal(tagsOf(one).fault, undefined, `one point, ${log ? "log" : "linear"}: well-formed`);
    const { lines, markers } = plotted(one);
    t.equal(lines.length, 2);
    t.equal(markers.length, 1);
    t.ok(inside(markers[0]!), `one point, ${log ? "log" : "linear"}: inside the plot area`);
    t.notMatch(one, /NaN|Infinity/, "no NaN in the coordinates");
  }
});

t.test("bench chart - NaN, Infinity and (on a log axis) non-positive points are skipped", async (t) => {
  const svg = renderChart(
    chart({
      y: { label: "ms", log: true },
      series: [{ name: "with holes", points: [[1, 5], [2, NaN], [3, Infinity], [Infinity, 4], [4, 0], [5, -1], [6, 50]] }],
    }),
  );
  t.equal(tagsOf(svg).fault, undefined);
  t.notMatch(svg, /NaN|Infinity/, "no bad number reaches the SVG");
  const { lines, markers } = plotted(svg);
  t.equal(lines[0]!.length, 2, "only the two drawable points are on the line");
  t.equal(markers.length, 2);
  t.ok(markers.every(inside));
  const linear = plotted(renderChart(chart({ series: [{ name: "s", points: [[0, -3], [NaN, 1], [2, 4]] }] })));
  t.equal(linear.lines[0]!.length, 2, "on a linear axis zero and negatives are kept, NaN is not");
  t.ok(linear.markers.every(inside));
});

t.test("bench chart - tick labels are short", async (t) => {
  t.equal(tickLabel(0), "0");
  t.equal(tickLabel(1500), "1.5k");
  t.equal(tickLabel(2_000_000), "2M");
  t.equal(tickLabel(0.05), "0.05");
  t.equal(tickLabel(0.30000000000000004), "0.3");
  t.equal(tickLabel(-250), "-250");
});

t.test("bench chart - plot gathers points by series name, in the order the names first appear", async (t) => {
  const c = chart({});
  plot(c, "ours", 1, 10);
  plot(c, "naive", 1, 30);
  plot(c, "ours", 2, 12);
  t.same(c.series, [
    { name: "ours", points: [[1, 10], [2, 12]] },
    { name: "naive", points: [[1, 30]] },
  ]);
});
