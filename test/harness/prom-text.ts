// A small parser of the Prometheus text exposition format (0.0.4), strict enough to catch a page
// Prometheus itself would refuse: every sample line must parse, every family is typed once.
import http from "node:http";
import type { HostPort } from "../../common/topology.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name to its `# TYPE`. */
  types: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|(?=\}))/;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(text: string, line: string): number {
  // Prometheus reads these case-insensitively (Go's ParseFloat); prom-client writes NaN as "Nan"
  const word = text.toLowerCase();
  if (word === "+inf" || word === "inf") return Infinity;
  if (word === "-inf") return -Infinity;
  if (word === "nan") return NaN;
  const v = Number(text);
  if (text === "" || Number.isNaN(v)) throw new Error(`not a sample value: ${JSON.stringify(line)}`);
  return v;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
      if (m?.[1] === "TYPE") {
        if (types.has(m[2]!)) throw new Error(`family ${m[2]} is typed twice`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`no metric name: ${JSON.stringify(line)}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      rest = rest.slice(1);
      while (!rest.startsWith("}")) {
        const m = LABEL.exec(rest);
        if (!m) throw new Error(`bad labels: ${JSON.stringify(line)}`);
        labels[m[1]!] = unescape(m[2]!);
        rest = rest.slice(m[0].length);
      }
      rest = rest.slice(1);
    }
    const [value, timestamp, extra] = rest.trim().split(/\s+/);
    if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) throw new Error(`trailing text: ${JSON.stringify(line)}`);
    samples.push({ name, labels, value: parseValue(value ?? "", line) });
  }
  return { samples, types };
}

/** The samples called `name` whose labels include `labels`. */
export function find(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample called `name` with `labels`, or undefined when there is none; more than one is an error. */
export function value(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(e, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

interface Scraped {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to a metrics listener; `headers` and `method` let tests send what a scraper never would. */
export function scrape(at: HostPort, opts: { path?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Scraped> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: at.host, port: at.port, path: opts.path ?? "/metrics", method: opts.method ?? "GET", headers: opts.headers, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${at.host}:${at.port} in 5 s`)));
    req.on("error", reject);
    req.end();
  });
}
