// What a benchmark is and how the suite prints and keeps its figures. Every benchmark compares
// two sides in the same run (ours and a baseline or a peer), because absolute times drift on
// shared machines; the ratio is the figure that travels.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Log } from "../../common/log.ts";
import { renderChart, type Chart } from "./chart.ts";

export { plot, type Chart } from "./chart.ts";

export interface BenchContext {
  quick: boolean;
  dataDir: string;
  log: Log;
  /** A line of progress for long runs (stderr, so --json stays clean). */
  progress(message: string): void;
}

export type Cell = string | number;

export interface BenchResult {
  columns: string[];
  rows: Cell[][];
  /** The headline numbers, keyed by name: what `--json` prints and the README quotes. */
  figures: Record<string, number>;
  notes?: string[];
  /** Scaling curves, each drawn to `<name>-<chart.name>.svg` beside the CSV and JSON. */
  charts?: Chart[];
}

export interface Bench {
  name: string;
  about: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

function show(cell: Cell): string {
  if (typeof cell === "string") return cell;
  if (Number.isInteger(cell)) return cell.toLocaleString("en-US");
  return Math.abs(cell) >= 100 ? Math.round(cell).toLocaleString("en-US") : cell.toPrecision(3);
}

export function formatTable(columns: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(show));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(columns), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...text.map(line)].join("\n");
}

function csv(columns: string[], rows: Cell[][]): string {
  const quote = (c: Cell): string => (typeof c === "number" ? String(c) : `"${c.replace(/"/g, '""')}"`);
  return [columns.map(quote).join(","), ...rows.map((r) => r.map(quote).join(","))].join("\n") + "\n";
}

/** Writes `<dataDir>/bench/<name>.csv`, `.json` and `<name>-<chart>.svg` per chart; returns the folder and the charts' paths. */
export function keep(dataDir: string, name: string, result: BenchResult): { dir: string; charts: string[] } {
  const dir = path.join(dataDir, "bench");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.csv`), csv(result.columns, result.rows));
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2) + "\n");
  const charts = (result.charts ?? []).map((chart) => {
    const file = path.join(dir, `${name}-${chart.name}.svg`);
    writeFileSync(file, renderChart(chart));
    return file;
  });
  return { dir, charts };
}

/** Calls `fn` repeatedly for about `ms` and returns calls per second. */
export function rate(ms: number, fn: () => void): number {
  const batch = 100;
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}
