// Reads realms.yaml into the typed model. Every mistake is reported as `file:line path: problem`,
// and all semantic problems are collected at once so an operator fixes the file in one pass.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, type ConfigProblem } from "../common/errors.ts";
import { SchemaError, bool, int, list, num, object, optional, str, tuple, withDefault, type Infer } from "../common/schema.ts";
import { DUNGEONS, type DungeonKind } from "../common/dungeons.ts";
import {
  clientNodeUrl,
  type AnyNodeSpec,
  type HostPort,
  type NodeKind,
  type RealmSpec,
  type RealmsConfig,
  type TlsFiles,
  type WorldSpec,
  type ZoneSpec,
} from "../common/topology.ts";

// ---- Shape (snake_case, as written in the file). Formats (ids, addresses, durations) are checked
// afterwards, so that all of them are reported together rather than one per run.

const text = str({ min: 1 });
const nodeFields = { id: text, inbox: text, restart: optional(text), metrics: optional(text) };
const rawNode = object(nodeFields);
// PEM file paths, relative to the file's folder; read by the node itself at start (see TlsFiles)
const tlsFields = optional(object({ cert: text, key: text }));

const rawRealm = object({
  name: text,
  player_cap: withDefault(int({ min: 1 }), 2000),
  tick_hz: withDefault(int({ min: 1, max: 120 }), 20),
  realm: rawNode,
  database: object({ ...nodeFields, flush_ms: withDefault(int({ min: 1, max: 60_000 }), 250) }),
  backup: object({
    ...nodeFields,
    every: withDefault(str({ what: "a duration such as 30s, 10m or 1h" }), "10m"),
    keep: withDefault(int({ min: 1 }), 48),
  }),
  world: object({ width: int({ min: 1 }), height: int({ min: 1 }), cell: int({ min: 1 }) }),
  vision: withDefault(int({ min: 1, max: 10_000 }), 100),
  layer_players: withDefault(int({ min: 1, max: 1_000_000 }), 1000),
  checkpoint_every: withDefault(str({ what: "a duration such as 30s, 10m or 1h" }), "30s"),
  blocked: withDefault(list(tuple([int(), int(), int(), int()]), { max: 10_000 }), []),
  client_budget_bytes: withDefault(int({ min: 64, max: 65_536 }), 1000),
  reconnect_grace: withDefault(str({ what: "a duration such as 30s, 10m or 1h" }), "30s"),
  daily_restart: optional(object({ at: str({ what: 'a UTC time of day such as "04:00"' }), warn: withDefault(str({ what: "a duration such as 30s, 10m or 1h" }), "5m") })),
  zones: list(object({ ...nodeFields, region: tuple([int(), int(), int(), int()]), pub: text, npcs: withDefault(int({ min: 0, max: 100_000 }), 100) })),
  dungeons: withDefault(list(object({ name: text, kind: text, at: tuple([num(), num()]), radius: withDefault(num({ min: 1, max: 1000 }), 10) }), { max: 1000 }), []),
});

const rawConfig = object({
  data_dir: optional(text),
  mesh: optional(object({ curve: withDefault(bool, true), keys: optional(text) })),
  login: object({ register: withDefault(bool, false), nodes: list(object({ ...nodeFields, http: text, tls: tlsFields })) }),
  revivers: list(object({ ...nodeFields, console: optional(text) })),
  client_nodes: list(object({ ...nodeFields, ws: text, tls: tlsFields, public_url: optional(str({ max: 512, pattern: /^wss?:\/\/[^\s/]+(\/\S*)?$/, what: "a ws:// or wss:// URL such as wss://play.example.com/c1" })) })),
  realms: list(rawRealm),
  instances: object({
    max_players: int({ min: 1 }),
    close_after: withDefault(str({ what: "a duration such as 30s, 10m or 1h" }), "60s"),
    pool: list(object({ ...nodeFields, pub: text })),
  }),
});

type RawNode = Infer<typeof rawNode>;

// ---- Mapping a key path such as `realms[0].zones[1].region` back to a line of the document.

function splitPath(path: string): (string | number)[] {
  const segs: (string | number)[] = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    segs.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3] ?? '""') as string)));
  }
  return segs;
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private lineOf(node: unknown, fallback: number): number {
    const start = isNode(node) ? node.range?.[0] : undefined;
    return start === undefined ? fallback : this.lines.linePos(start).line;
  }

  /**
   * The line of a path: of its key in a map, of its item in a list; when it is missing, of the
   * deepest parent that exists. With `value`, the line where the value itself starts.
   */
  line(path: string, value = false): number {
    let node: unknown = this.doc.contents;
    let line = this.lineOf(node, 1);
    for (const seg of splitPath(path)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) return line;
        line = this.lineOf(pair.key, line);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
        node = node.items[seg];
        line = this.lineOf(node, line);
      } else {
        return line;
      }
    }
    return value ? this.lineOf(node, line) : line;
  }
}

// ---- Formats

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HOST = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)`;
const TCP_ADDRESS = new RegExp(`^tcp://${HOST}:(\\d+)$`);
const HOST_PORT = new RegExp(`^${HOST}:(\\d+)$`);
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);

type Rect = [number, number, number, number];
const showRect = ([x0, y0, x1, y1]: Rect): string => `(${x0},${y0})-(${x1},${y1})`;

/** Collects problems with their lines; thrown together at the end. */
class Problems {
  readonly list: ConfigProblem[] = [];
  constructor(
    readonly file: string,
    readonly at: Locator,
  ) {}
  add(path: string, problem: string, line = this.at.line(path)): void {
    this.list.push({ file: this.file, line, path, problem });
  }
}

/** Parses `<host>:<port>` (with `tcp://` in front when `tcp`); a string result says what is wrong. */
function parseAddress(value: string, tcp: boolean): HostPort | string {
  const m = (tcp ? TCP_ADDRESS : HOST_PORT).exec(value);
  if (!m) return `expected ${tcp ? "tcp://" : ""}<host>:<port>, got "${value}"`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${m[2]} is out of range 1..65535`;
  return { host: (m[1] ?? "").replace(/^\[(.*)\]$/, "$1").toLowerCase(), port };
}

/** "500ms", "30s", "10m", "1h", "2d" in milliseconds; undefined when it is not one of those. */
export function durationMs(value: string): number | undefined {
  const m = DURATION.exec(value);
  return m ? Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? 0) : undefined;
}

function parseDuration(value: string, path: string, problems: Problems): number {
  const ms = durationMs(value) ?? 0;
  if (ms <= 0) problems.add(path, `expected a positive duration such as 500ms, 30s, 10m or 1h, got "${value}"`);
  return ms;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" (UTC, 24-hour) as minutes after midnight. */
function parseTimeOfDay(value: string, path: string, problems: Problems): number {
  const m = TIME_OF_DAY.exec(value);
  if (!m) problems.add(path, `expected a UTC time of day such as "04:00" (HH:MM, 24-hour), got "${value}"`);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

// ---- Building the model

interface Declared {
  spec: AnyNodeSpec;
  path: string;
  /** Addresses the node binds, by field name, with whether they are ZeroMQ tcp:// endpoints. */
  binds: [field: string, value: string, tcp: boolean][];
}

function buildConfig(raw: Infer<typeof rawConfig>, absFile: string, problems: Problems): { cfg: RealmsConfig; declared: Declared[] } {
  const declared: Declared[] = [];
  const at = problems.at;
  // One place for the fields every kind shares; `extra` adds the kind's own.
  function declare<K extends NodeKind, R extends string | undefined, E extends object>(
    kind: K,
    n: RawNode,
    path: string,
    realm: R,
    extra: E,
    binds: Declared["binds"] = [],
  ) {
    const metrics = n.metrics === undefined ? undefined : hostPort(n.metrics);
    const spec = { id: n.id, kind, realm, inbox: n.inbox, restart: n.restart, metrics, line: at.line(path, true), ...extra };
    const metricsBind: Declared["binds"] = n.metrics === undefined ? [] : [["metrics", n.metrics, false]];
    declared.push({ spec: spec as unknown as AnyNodeSpec, path, binds: [["inbox", n.inbox, true], ...binds, ...metricsBind] });
    return spec;
  }
  // Malformed addresses are reported once, by checkNodes; the model only needs a placeholder then.
  const hostPort = (value: string): HostPort => {
    const hp = parseAddress(value, false);
    return typeof hp === "string" ? { host: "", port: 0 } : hp;
  };
  const tlsFiles = (raw: { cert: string; key: string } | undefined, path: string): TlsFiles | undefined =>
    raw && {
      cert: resolve(dirname(absFile), raw.cert),
      key: resolve(dirname(absFile), raw.key),
      declared: { file: problems.file, path, certLine: at.line(`${path}.cert`), keyLine: at.line(`${path}.key`) },
    };

  const dataDir = resolve(dirname(absFile), raw.data_dir ?? "var");
  const cfg: RealmsConfig = {
    file: absFile,
    dataDir,
    mesh: raw.mesh?.curve ? { keys: raw.mesh.keys === undefined ? resolve(dataDir, "keys") : resolve(dirname(absFile), raw.mesh.keys) } : undefined,
    login: {
      register: raw.login.register,
      nodes: raw.login.nodes.map((n, i) => {
        const path = `login.nodes[${i}]`;
        return declare("login", n, path, undefined, { http: hostPort(n.http), tls: tlsFiles(n.tls, `${path}.tls`) }, [["http", n.http, false]]);
      }),
    },
    revivers: raw.revivers.map((n, i) =>
      n.console === undefined
        ? declare("reviver", n, `revivers[${i}]`, undefined, { console: undefined })
        : declare("reviver", n, `revivers[${i}]`, undefined, { console: hostPort(n.console) }, [["console", n.console, false]]),
    ),
    clientNodes: raw.client_nodes.map((n, i) => {
      const path = `client_nodes[${i}]`;
      const extra = { ws: hostPort(n.ws), tls: tlsFiles(n.tls, `${path}.tls`), publicUrl: n.public_url };
      return declare("client", n, path, undefined, extra, [["ws", n.ws, false]]);
    }),
    realms: raw.realms.map((r, i): RealmSpec => {
      const path = `realms[${i}]`;
      return {
        name: r.name,
        playerCap: r.player_cap,
        tickHz: r.tick_hz,
        realmNode: declare("realm", r.realm, `${path}.realm`, r.name, {}),
        database: declare("database", r.database, `${path}.database`, r.name, { flushMs: r.database.flush_ms }),
        backup: declare("backup", r.backup, `${path}.backup`, r.name, {
          everyMs: parseDuration(r.backup.every, `${path}.backup.every`, problems),
          keep: r.backup.keep,
        }),
        world: r.world,
        vision: r.vision,
        layerPlayers: r.layer_players,
        checkpointEveryMs: parseDuration(r.checkpoint_every, `${path}.checkpoint_every`, problems),
        blocked: r.blocked,
        clientBudgetBytes: r.client_budget_bytes,
        reconnectGraceMs: parseDuration(r.reconnect_grace, `${path}.reconnect_grace`, problems),
        ...(r.daily_restart && {
          dailyRestart: {
            atMinute: parseTimeOfDay(r.daily_restart.at, `${path}.daily_restart.at`, problems),
            warnMs: parseDuration(r.daily_restart.warn, `${path}.daily_restart.warn`, problems),
          },
        }),
        zones: r.zones.map((z, j) =>
          declare("zone", z, `${path}.zones[${j}]`, r.name, { region: z.region, pub: z.pub, npcs: z.npcs }, [["pub", z.pub, true]]),
        ),
        // the kind is checked with the other semantic problems (checkDungeons)
        dungeons: r.dungeons.map((d) => ({ name: d.name, kind: d.kind as DungeonKind, at: d.at, radius: d.radius })),
      };
    }),
    instances: {
      maxPlayers: raw.instances.max_players,
      closeAfterMs: parseDuration(raw.instances.close_after, "instances.close_after", problems),
      pool: raw.instances.pool.map((n, i) => declare("instance", n, `instances.pool[${i}]`, undefined, { pub: n.pub }, [["pub", n.pub, true]])),
    },
  };
  return { cfg, declared };
}

// ---- Semantic checks

function checkNodes(declared: Declared[], problems: Problems): void {
  const firstById = new Map<string, AnyNodeSpec>();
  const bound: { hp: HostPort; owner: string; line: number }[] = [];
  // In file order, so "already used" always points upwards.
  for (const { spec, path, binds } of [...declared].sort((a, b) => a.spec.line - b.spec.line)) {
    const first = firstById.get(spec.id);
    if (!NODE_ID.test(spec.id)) {
      problems.add(`${path}.id`, `"${spec.id}" is not a valid node id: use letters, digits, _ . - (starting with a letter or digit)`);
    } else if (first) {
      problems.add(`${path}.id`, `duplicate node id ${spec.id} (first declared at line ${first.line})`);
    } else {
      firstById.set(spec.id, spec);
    }
    for (const [field, value, tcp] of binds) {
      const hp = parseAddress(value, tcp);
      if (typeof hp === "string") {
        problems.add(`${path}.${field}`, hp);
        continue;
      }
      // 0.0.0.0:p takes p on every interface, so it collides with any host on p.
      const clash = bound.find(
        (b) => b.hp.port === hp.port && (b.hp.host === hp.host || WILDCARD_HOSTS.has(b.hp.host) || WILDCARD_HOSTS.has(hp.host)),
      );
      if (clash) problems.add(`${path}.${field}`, `${value} is already used by ${clash.owner} (line ${clash.line}): each address needs its own port`);
      else bound.push({ hp, owner: `${spec.id} ${field}`, line: problems.at.line(`${path}.${field}`) });
    }
  }
}

/** The parts of the world no region covers, as few rectangles as a greedy merge gives. */
function uncoveredAreas(world: WorldSpec, regions: readonly Rect[]): Rect[] {
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const cuts = (max: number, lo: 0 | 1, hi: 2 | 3) =>
    [...new Set([0, max, ...regions.flatMap((r) => [clip(r[lo], max), clip(r[hi], max)])])].sort((a, b) => a - b);
  const xs = cuts(world.width, 0, 2);
  const ys = cuts(world.height, 1, 3);
  const open = ys.slice(1).map((_, j) =>
    xs.slice(1).map((_, i) => !regions.some((r) => r[0] <= xs[i]! && xs[i + 1]! <= r[2] && r[1] <= ys[j]! && ys[j + 1]! <= r[3])),
  );
  const areas: Rect[] = [];
  open.forEach((row, j) =>
    row.forEach((isOpen, i) => {
      if (!isOpen) return;
      let i1 = i;
      while (row[i1 + 1]) i1++;
      let j1 = j;
      while (open[j1 + 1]?.slice(i, i1 + 1).every(Boolean)) j1++;
      for (let y = j; y <= j1; y++) open[y]!.fill(false, i, i1 + 1);
      areas.push([xs[i]!, ys[j]!, xs[i1 + 1]!, ys[j1 + 1]!]);
    }),
  );
  return areas;
}

function checkRealm(realm: RealmSpec, path: string, problems: Problems): void {
  const { width, height, cell } = realm.world;
  const worldOk = width % cell === 0 && height % cell === 0;
  if (!worldOk) problems.add(`${path}.world`, `width ${width} and height ${height} must be multiples of cell ${cell}`);
  if (realm.zones.length === 0) {
    problems.add(`${path}.zones`, `realm ${realm.name} has no zones: its world needs at least one zone to run in`);
    return;
  }
  const isEmpty = (z: ZoneSpec) => !(z.region[0] < z.region[2] && z.region[1] < z.region[3]);
  realm.zones.forEach((zone, j) => {
    const where = `${path}.zones[${j}].region`;
    const [x0, y0, x1, y1] = zone.region;
    if (isEmpty(zone)) {
      problems.add(where, `[${zone.region.join(", ")}] is empty: a region is [x0, y0, x1, y1) with x0 < x1 and y0 < y1`);
      return;
    } else if (x0 < 0 || y0 < 0 || x1 > width || y1 > height) {
      problems.add(where, `[${zone.region.join(", ")}] lies outside the world ${showRect([0, 0, width, height])}`);
    } else if (worldOk && zone.region.some((v) => v % cell !== 0)) {
      // A cell is one interest group, published by one zone: a border through a cell would split it.
      problems.add(where, `[${zone.region.join(", ")}] has edges that are not multiples of cell ${cell}`);
    }
    const other = realm.zones
      .slice(0, j)
      .find((z) => !isEmpty(z) && z.region[0] < x1 && x0 < z.region[2] && z.region[1] < y1 && y0 < z.region[3]);
    if (other) {
      const [a0, b0, a1, b1] = other.region;
      problems.add(where, `overlaps ${other.id} in ${showRect([Math.max(a0, x0), Math.max(b0, y0), Math.min(a1, x1), Math.min(b1, y1)])}`);
    }
  });
  // An empty region is its own mistake; the gap it leaves would only repeat it.
  if (realm.zones.some(isEmpty)) return;
  const gaps = uncoveredAreas(realm.world, realm.zones.map((z) => z.region));
  if (gaps.length > 0) {
    const shown = gaps.slice(0, 3).map(showRect).join(", ") + (gaps.length > 3 ? ` and ${gaps.length - 3} more` : "");
    problems.add(`${path}.zones`, `leaves ${shown} uncovered: every point of the world needs exactly one zone`);
  }
}

/** Entrances: a unique name, a known kind, a point inside the world that no one is barred from. */
function checkDungeons(realm: RealmSpec, path: string, problems: Problems): void {
  const first = new Map<string, number>();
  realm.dungeons.forEach((d, k) => {
    const where = `${path}.dungeons[${k}]`;
    const seen = first.get(d.name);
    if (seen !== undefined) problems.add(`${where}.name`, `duplicate entrance name ${d.name} (first at line ${seen})`);
    else first.set(d.name, problems.at.line(`${where}.name`));
    if (!(DUNGEONS as readonly string[]).includes(d.kind)) problems.add(`${where}.kind`, `"${d.kind}" is not a dungeon kind: use one of ${DUNGEONS.join(", ")}`);
    const [x, y] = d.at;
    const { width, height } = realm.world;
    const barrier = realm.blocked.find(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1);
    if (!(x >= 0 && x < width && y >= 0 && y < height)) problems.add(`${where}.at`, `(${x}, ${y}) lies outside the world ${showRect([0, 0, width, height])}`);
    else if (barrier) problems.add(`${where}.at`, `(${x}, ${y}) is inside the blocked area ${showRect(barrier)}: no player could reach the entrance`);
  });
}

function checkConfig(cfg: RealmsConfig, declared: Declared[], problems: Problems): void {
  const need: [string, unknown[], string][] = [
    ["revivers", cfg.revivers, "at least one reviver, or nothing restarts a crashed node"],
    ["login.nodes", cfg.login.nodes, "at least one login node, or no player can log in"],
    ["client_nodes", cfg.clientNodes, "at least one client node, or no player can connect"],
    ["realms", cfg.realms, "at least one realm"],
  ];
  for (const [path, nodes, why] of need) if (nodes.length === 0) problems.add(path, `needs ${why}`);
  checkNodes(declared, problems);
  // browsers block ws:// from a page served over https (mixed content): the /play page of an
  // https login node could log players in but never connect them
  const https = cfg.login.nodes.find((n) => n.tls);
  cfg.clientNodes.forEach((c, i) => {
    const url = clientNodeUrl(c);
    if (https && url.startsWith("ws://")) {
      problems.add(`client_nodes[${i}]`, `${https.id} serves https (line ${https.line}), but players would be sent to ${url}, which a browser on an https page refuses: give ${c.id} tls, or a wss:// public_url`);
    }
  });
  const firstByName = new Map<string, number>();
  cfg.realms.forEach((realm, i) => {
    const first = firstByName.get(realm.name);
    if (first !== undefined) problems.add(`realms[${i}].name`, `duplicate realm name ${realm.name} (first at line ${first})`);
    else firstByName.set(realm.name, problems.at.line(`realms[${i}].name`));
    checkRealm(realm, `realms[${i}]`, problems);
    checkDungeons(realm, `realms[${i}]`, problems);
  });
}

// ---- Entry points

/** Parses the text of a realms.yaml; `file` is used as given in messages (and resolved for the model). */
export function parseConfig(text: string, file: string): RealmsConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems = new Problems(file, new Locator(doc, lines));
  if (doc.errors.length > 0) {
    // One problem per line: the parser often reports a mistake twice on the same line.
    const seen = new Set<number>();
    for (const e of doc.errors) {
      const line = lines.linePos(e.pos[0]).line;
      if (!seen.has(line)) problems.add("", `invalid YAML: ${e.message.split("\n")[0]}`, line);
      seen.add(line);
    }
    throw new ConfigError(problems.list);
  }
  let raw: Infer<typeof rawConfig>;
  try {
    raw = rawConfig.parse(doc.toJS());
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    problems.add(e.path, e.problem);
    throw new ConfigError(problems.list);
  }
  const { cfg, declared } = buildConfig(raw, resolve(file), problems);
  checkConfig(cfg, declared, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list.sort((a, b) => a.line - b.line));
  return cfg;
}

/** Reads and checks a realms.yaml; throws ConfigError listing every problem found. */
export function loadConfig(file: string): RealmsConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([{ file, line: 1, path: "", problem: `cannot read the config file: ${(e as Error).message}` }]);
  }
  return parseConfig(text, file);
}
