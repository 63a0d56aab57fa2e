// A benchmark's scaling curves as a self-contained SVG a person can open in a browser or see in
// the README: lines and markers per series, linear or log axes, a legend. No dependencies, so
// the suite draws its charts wherever it runs.

interface Axis {
  label: string;
  log?: boolean;
}

interface Series {
  name: string;
  points: [number, number][];
}

export interface Chart {
  /** The file stem: `<bench>-<name>.svg`. */
  name: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
}

/** Adds a point to the chart's series of that name, made on first use (so the legend is in that order). */
export function plot(chart: Chart, series: string, x: number, y: number): void {
  let s = chart.series.find((c) => c.name === series);
  if (!s) chart.series.push((s = { name: series, points: [] }));
  s.points.push([x, y]);
}

const WIDTH = 900;
const HEIGHT = 440;
/** The plot area inside the picture: room for the title, tick labels, axis labels and the legend. */
export const PLOT = { left: 78, top: 44, right: 560, bottom: 378 } as const;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

const round = (v: number): number => Math.round(v * 10) / 10;

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** 1234 -> "1.2k", 0.05 -> "0.05": short enough to sit under a tick. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  for (const [size, suffix] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (a >= size) return `${Number((v / size).toPrecision(3))}${suffix}`;
  }
  return String(Number(v.toPrecision(3)));
}

interface Scale {
  ticks: number[];
  /** 0 at the low end of the axis, 1 at the high end. */
  at(v: number): number;
}

/** Whether a value can be drawn on the axis: finite, and positive on a log axis. */
const drawable = (v: number, log: boolean | undefined): boolean => Number.isFinite(v) && (!log || v > 0);

function linearScale(values: number[]): Scale {
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (values.length === 0 || hi === lo) hi = lo + (Math.abs(lo) || 1);
  const rough = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let k = 0; lo + k * step <= hi + step / 1e6; k++) ticks.push(Number((lo + k * step).toPrecision(12)));
  return { ticks, at: (v) => (v - lo) / (hi - lo) };
}

/** From the 1-2-5 step at or below the data to the one at or above it; a tick on each step, or
 * on each decade when the data spans more than three. */
function logScale(values: number[]): Scale {
  const min = values.length === 0 ? 1 : Math.min(...values);
  const max = values.length === 0 ? 10 : Math.max(...values);
  const steps: { v: number; decade: boolean }[] = [];
  for (let d = Math.floor(Math.log10(min)) - 1; d <= Math.ceil(Math.log10(max)) + 1; d++) {
    for (const m of [1, 2, 5]) steps.push({ v: Number((m * 10 ** d).toPrecision(12)), decade: m === 1 });
  }
  const lo = steps.filter((s) => s.v <= min * (1 + 1e-9)).at(-1)!.v;
  const hi = steps.find((s) => s.v >= max * (1 - 1e-9) && s.v > lo)!.v;
  const span = Math.log10(hi / lo);
  const ticks = steps.filter((s) => s.v >= lo && s.v <= hi && (span <= 3 || s.decade)).map((s) => s.v);
  return { ticks, at: (v) => Math.log10(v / lo) / span };
}

const scaleFor = (axis: Axis, values: number[]): Scale => (axis.log ? logScale(values) : linearScale(values));

/** The SVG text of a chart. Points that cannot be drawn (NaN, infinite, not positive on a log axis) are left out. */
export function renderChart(chart: Chart): string {
  const series = chart.series.map((s) => ({
    name: s.name,
    points: s.points.filter(([x, y]) => drawable(x, chart.x.log) && drawable(y, chart.y.log)).sort((a, b) => a[0] - b[0]),
  }));
  const all = series.flatMap((s) => s.points);
  const sx = scaleFor(chart.x, all.map((p) => p[0]));
  const sy = scaleFor(chart.y, all.map((p) => p[1]));
  const px = (v: number): number => round(PLOT.left + sx.at(v) * (PLOT.right - PLOT.left));
  const py = (v: number): number => round(PLOT.bottom - sy.at(v) * (PLOT.bottom - PLOT.top));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (const t of sx.ticks) {
    const x = px(t);
    out.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x}" y="${PLOT.bottom + 16}" text-anchor="middle">${escape(tickLabel(t))}</text>`);
  }
  for (const t of sy.ticks) {
    const y = py(t);
    out.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${y + 4}" text-anchor="end">${escape(tickLabel(t))}</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333333"/>`);
  const xLabel = `${chart.x.label}${chart.x.log ? " (log)" : ""}`;
  const yLabel = `${chart.y.label}${chart.y.log ? " (log)" : ""}`;
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 40}" text-anchor="middle">${escape(xLabel)}</text>`);
  const yMid = (PLOT.top + PLOT.bottom) / 2;
  out.push(`<text x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})">${escape(yLabel)}</text>`);
  if (all.length === 0) out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${yMid}" text-anchor="middle" fill="#888888">no data</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ");
    out.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of s.points) out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${colour}"><title>${escape(`${s.name}: ${tickLabel(x)}, ${tickLabel(y)}`)}</title></circle>`);
    const ly = PLOT.top + 8 + i * 20;
    out.push(`<line x1="${PLOT.right + 16}" y1="${ly}" x2="${PLOT.right + 40}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<circle cx="${PLOT.right + 28}" cy="${ly}" r="3.5" fill="${colour}"/>`);
    out.push(`<text x="${PLOT.right + 46}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
