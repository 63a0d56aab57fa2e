// The client node's numbers, ours beside a baseline in the same run:
// 1. bytes per second per player at 20 Hz with ~50 visible moving entities: our deltas beside a
//    full msgpack snapshot every tick and beside JSON;
// 2. zone -> client node egress beside client node -> players egress as players per node grow;
// 3. players one client node serves on one core at 20 Hz before its tick work passes 50 ms:
//    our shared-per-cell fanout beside a naive per-player delta (map lookups, a full sort), both
//    sending real WebSocket frames to a sink process on the other core.
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import msgpack from "msgpack-lite";
import { WebSocketServer, type WebSocket } from "ws";
import { ByteWriter } from "../../common/bytes.ts";
import { newBlock, newRecord, Quantizer, writeRecord } from "../../common/cell-snapshot.ts";
import { ENTRY_HEADER } from "../../common/cell-batch.ts";
import { ROOT } from "../../common/launch.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { Fanout } from "../../nodes/client/fanout.ts";
import { FanoutTimes } from "../../nodes/client/fanout-times.ts";
import { SentView } from "../../nodes/client/sent-view.ts";
import { WorldMirror } from "../../nodes/client/world-mirror.ts";
import { sendBinary } from "../../nodes/client/ws-frames.ts";
import { plot, type Bench, type Cell, type Chart } from "./bench.ts";
import { alternate, loadNow, spreadOf, spreadText } from "./rounds.ts";
import { clientNodes, type NodeTicks } from "./client-nodes.ts";

const SIZE = 4000;
const CELL = 50;
const VISION = 100;
const HZ = 20;
const TICK_MS = 1000 / HZ;
const BUDGET = 1000;
/** Issue #14's target: one client node's tick work p99 within this with 3,000 players on one core. */
const TARGET_P99_MS = 20;
const ZONE = "BENCH-ZONE";
/** Entities per unit² so that a player sees about `visible` others within its vision. */
const density = (visible: number): number => visible / (Math.PI * VISION * VISION);

const realm = {
  name: "Bench",
  tickHz: HZ,
  world: { width: SIZE, height: SIZE, cell: CELL },
  vision: VISION,
  clientBudgetBytes: BUDGET,
  zones: [{ id: ZONE, region: [0, 0, SIZE, SIZE] }],
} as unknown as RealmSpec;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Entities walking at 5 units/s over a square, turning now and then: the zone's side, simulated. */
class Walkers {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly dir: Float64Array;
  readonly side: number;
  private readonly random = seeded(7);
  private readonly q = new Quantizer(SIZE, SIZE);
  private readonly r = newRecord();

  constructor(readonly count: number, visible: number) {
    this.side = Math.min(SIZE - 2 * CELL, Math.sqrt(count / density(visible)));
    this.x = new Float64Array(count);
    this.y = new Float64Array(count);
    this.dir = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      this.x[i] = CELL + this.random() * this.side;
      this.y[i] = CELL + this.random() * this.side;
      this.dir[i] = this.random() * 2 * Math.PI;
    }
  }

  step(): void {
    const step = 5 / HZ;
    for (let i = 0; i < this.count; i++) {
      if (this.random() < 1 / (2 * HZ)) this.dir[i] = this.random() * 2 * Math.PI;
      let nx = this.x[i]! + Math.cos(this.dir[i]!) * step;
      let ny = this.y[i]! + Math.sin(this.dir[i]!) * step;
      if (nx < CELL || nx > CELL + this.side || ny < CELL || ny > CELL + this.side) {
        this.dir[i] = this.dir[i]! + Math.PI;
        nx = this.x[i]!;
        ny = this.y[i]!;
      }
      this.x[i] = nx;
      this.y[i] = ny;
    }
  }

  /** The zone's cell blocks for this tick, one per non-empty cell: what its PUB socket sends. */
  blocks(tick: number): Map<number, Buffer> {
    const cols = SIZE / CELL;
    const members = new Map<number, number[]>();
    for (let i = 0; i < this.count; i++) {
      const c = Math.floor(this.y[i]! / CELL) * cols + Math.floor(this.x[i]! / CELL);
      let list = members.get(c);
      if (!list) members.set(c, (list = []));
      list.push(i);
    }
    const out = new Map<number, Buffer>();
    for (const [c, list] of members) {
      const block = newBlock(tick, tick * TICK_MS, list.length);
      list.forEach((i, k) => {
        Object.assign(this.r, { id: i + 1, qx: this.q.qx(this.x[i]!), qy: this.q.qy(this.y[i]!), heading: Math.round((this.dir[i]! / (2 * Math.PI)) * 256) & 255, kind: 1, hp: 255, flags: 1, template: 0, level: 10 });
        writeRecord(block, k, this.r);
      });
      out.set(c, block);
    }
    return out;
  }
}

/** The naive way, for comparison: per player a map of what it was sent, every visible entity diffed, a full sort. */
class NaiveFanout {
  private readonly sent: Map<number, { qx: number; qy: number; heading: number }>[] = [];
  private readonly w = new ByteWriter(4096);

  frame(p: number, m: WorldMirror, px: number, py: number): Buffer {
    const sent = (this.sent[p] ??= new Map());
    const e = m.e;
    const cands: { s: number; score: number; size: number }[] = [];
    for (let s = 0; s < e.high; s++) {
      if (!e.alive[s]) continue;
      const d = Math.hypot(m.worldX(s) - px, m.worldY(s) - py);
      if (d > VISION) continue;
      const was = sent.get(e.id[s]!);
      const mag = was ? Math.abs(e.qx[s]! - was.qx) + Math.abs(e.qy[s]! - was.qy) + (was.heading !== e.heading[s] ? 4 : 0) : 1000;
      if (mag === 0) continue;
      cands.push({ s, score: mag / (1 + d), size: was ? 8 : 16 });
    }
    cands.sort((a, b) => b.score - a.score);
    const w = this.w.reset().u8(PlayerOp.SMSG_WORLD);
    let used = 0;
    for (const c of cands) {
      if (used + c.size > BUDGET) break;
      used += c.size;
      const id = e.id[c.s]!;
      const was = sent.get(id);
      w.varint(id).svarint(e.qx[c.s]! - (was?.qx ?? 0)).svarint(e.qy[c.s]! - (was?.qy ?? 0)).u8(e.heading[c.s]!);
      sent.set(id, { qx: e.qx[c.s]!, qy: e.qy[c.s]!, heading: e.heading[c.s]! });
    }
    return w.take();
  }
}

export interface Run {
  p50: number;
  p99: number;
  /** Per tick: bytes the zone sends the client node, bytes the client node sends its players. */
  zoneBytes: number;
  playerBytes: number;
  visible: number;
  msgpackBytes: number;
  jsonBytes: number;
  /** SMSG_WORLD bytes per tick of one of the sampled players (those in the middle, who see a full crowd). */
  sampleBytes: number;
}

/** A WebSocket sink on the other core: `n` connections that read and drop what they get. */
export async function sink(n: number): Promise<{ sockets: WebSocket[]; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const sockets: WebSocket[] = [];
  const all = new Promise<void>((resolve) => wss.on("connection", (ws) => sockets.push(ws) === n && resolve()));
  const { port } = wss.address() as { port: number };
  const script = `import { WebSocket } from "ws"; const [url, n] = process.argv.slice(1); for (let i = 0; i < Number(n); i++) { const ws = new WebSocket(url, { perMessageDeflate: false }); ws.on("message", () => {}); ws.on("error", () => {}); }`;
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", script, `ws://127.0.0.1:${port}/`, String(n)], { cwd: ROOT, stdio: "ignore" });
  await all;
  return {
    sockets,
    close: async () => {
      child.kill("SIGKILL");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** How a ready frame goes out: ws's own `send`, or header and payload in one write (the client node's way). */
type SendWay = "ws.send" | "framed";

/**
 * The ceiling under any fanout: a ready frame of `frameBytes` sent to each socket, once per tick at
 * 20 Hz, nothing computed. Tick work as `run` times it.
 */
async function bareSends(sockets: WebSocket[], frameBytes: number, ticks: number, way: SendWay): Promise<{ p50: number; p99: number }> {
  const payload = Buffer.alloc(Math.max(1, Math.round(frameBytes)), 7);
  const times = new FanoutTimes(ticks);
  for (let t = 0; t < 40 + ticks; t++) {
    const tickStart = performance.now();
    if (way === "ws.send") for (const ws of sockets) ws.send(payload);
    else for (const ws of sockets) sendBinary(ws, payload, 0, payload.length);
    if (t >= 40) times.add(performance.now() - tickStart);
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (performance.now() - tickStart))));
  }
  const p = times.percentiles();
  return { p50: p.p50Ms, p99: p.p99Ms };
}

/** The largest player counts tried whose tick work fit: 50 ms at p50, 50 ms at p99, the target at p99. */
class Fits {
  p50 = 0;
  p99 = 0;
  target = 0;

  record(n: number, r: { p50: number; p99: number }): void {
    if (r.p50 <= TICK_MS) this.p50 = n;
    if (r.p99 <= TICK_MS) this.p99 = n;
    if (r.p99 <= TARGET_P99_MS) this.target = n;
  }
}

const fmt = (ms: number): string => ms.toFixed(1);

export async function clientTicks(players: number, ticks: number, how: "ours" | "naive" | "sizes", { sockets, inView = 50 }: { sockets?: WebSocket[]; inView?: number } = {}): Promise<Run> {
  const walkers = new Walkers(Math.max(players, 200), inView);
  const subscribed = new Set<number>();
  const m = new WorldMirror(realm, new Quantizer(SIZE, SIZE), { subscribe: (_w, cx, cy) => subscribed.add(cy * (SIZE / CELL) + cx), unsubscribe: () => {} });
  // the union of the players' cells (vision plus a cell), as the client node subscribes them
  const interest = (): void => {
    const r = Math.ceil((VISION + CELL) / CELL);
    for (let p = 0; p < players; p++) {
      const cx0 = Math.floor(walkers.x[p]! / CELL);
      const cy0 = Math.floor(walkers.y[p]! / CELL);
      for (let cy = Math.max(0, cy0 - r); cy <= cy0 + r; cy++) {
        for (let cx = Math.max(0, cx0 - r); cx <= cx0 + r; cx++) if (!subscribed.has(cy * (SIZE / CELL) + cx)) m.want(cy * (SIZE / CELL) + cx, 0);
      }
    }
  };
  const fanout = new Fanout(m, VISION);
  const naive = new NaiveFanout();
  const views = Array.from({ length: players }, () => new SentView());
  const w = new ByteWriter(4096);
  const times = new FanoutTimes(ticks);
  // the first ticks spawn everything and warm the JIT up: measure the steady state
  const warmup = 40;
  const mid = walkers.side / 2 + CELL;
  const sampled = new Set(
    Array.from({ length: players }, (_, p) => p)
      .sort((a, b) => Math.hypot(walkers.x[a]! - mid, walkers.y[a]! - mid) - Math.hypot(walkers.x[b]! - mid, walkers.y[b]! - mid))
      .slice(0, 10),
  );
  let sampleBytes = 0;
  let zoneBytes = 0;
  let playerBytes = 0;
  let visible = 0;
  let mp = 0;
  let json = 0;
  let samples = 0;
  const cols = SIZE / CELL;
  for (let t = 0; t < warmup + ticks; t++) {
    if (t % 20 === 0) interest();
    walkers.step();
    const blocks = walkers.blocks(t + 1);
    const tickStart = performance.now();
    const begin = performance.now();
    for (const [c, block] of blocks) {
      if (!subscribed.has(c)) continue;
      m.ingest(ZONE, c % cols, Math.floor(c / cols), block, begin);
      if (t >= warmup) zoneBytes += block.length + ENTRY_HEADER;
    }
    m.settle(begin);
    for (let p = 0; p < players; p++) {
      const px = walkers.x[p]!;
      const py = walkers.y[p]!;
      let frame: Uint8Array;
      let length: number;
      if (how === "naive") {
        frame = naive.frame(p, m, px, py);
        length = frame.length;
      } else {
        fanout.build(views[p]!, px, py, BUDGET, 0, w.reset());
        frame = w.buf;
        length = w.pos;
      }
      // both ways send as the client node does: one framed write per player
      const socket = sockets?.[p];
      if (socket) sendBinary(socket, frame, 0, length);
      if (t >= warmup) playerBytes += length;
      if (how === "sizes" && t >= warmup && sampled.has(p)) {
        sampleBytes += length;
        // the baselines: the player's whole view, every tick
        const snap = [];
        const e = m.e;
        for (let s = 0; s < e.high; s++) {
          if (!e.alive[s] || Math.hypot(m.worldX(s) - px, m.worldY(s) - py) > VISION) continue;
          snap.push({ id: e.id[s]!, x: e.qx[s]!, y: e.qy[s]!, heading: e.heading[s]!, kind: e.kind[s]!, hp: e.hp[s]!, flags: e.flags[s]!, template: e.template[s]!, level: e.level[s]! });
        }
        visible += snap.length;
        mp += msgpack.encode(snap).length;
        json += JSON.stringify(snap).length;
        samples++;
      }
    }
    if (t >= warmup) times.add(performance.now() - tickStart);
    // real time between ticks: the sink drains, as players would
    if (sockets) await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (performance.now() - tickStart))));
    else await new Promise((r) => setImmediate(r));
  }
  const p = times.percentiles();
  return { p50: p.p50Ms, p99: p.p99Ms, zoneBytes: zoneBytes / ticks, playerBytes: playerBytes / ticks, visible: visible / Math.max(1, samples), msgpackBytes: mp / Math.max(1, samples), jsonBytes: json / Math.max(1, samples), sampleBytes: sampleBytes / Math.max(1, samples) };
}

export const clientBench: Bench = {
  name: "client",
  about: "player bytes/s (deltas vs msgpack vs JSON), zone->client vs client->players egress, players per client node at 20 Hz (ours vs naive)",
  async run(ctx) {
    const loadBefore = loadNow();
    const rows: Cell[][] = [];
    const figures: Record<string, number> = {};
    const ticks = ctx.quick ? 60 : 200;

    const bytes: Chart = { name: "player-bytes", title: "Bytes per player per second at 20 Hz vs entities in view", x: { label: "moving entities in view", log: true }, y: { label: "bytes/s per player", log: true }, series: [] };
    // the headline is ~50 in view; the others draw the curve
    for (const inView of ctx.quick ? [25, 50] : [10, 25, 50, 100]) {
      ctx.progress(`bytes per player, ${inView} visible moving entities`);
      const sizes = await clientTicks(200, ticks, "sizes", { inView });
      const perPlayer = sizes.sampleBytes * HZ;
      rows.push([`player B/s, ${sizes.visible.toFixed(0)} visible moving: deltas vs full msgpack`, perPlayer, sizes.msgpackBytes * HZ, "bytes/s", perPlayer / (sizes.msgpackBytes * HZ)]);
      rows.push([`player B/s, ${sizes.visible.toFixed(0)} visible moving: deltas vs JSON`, perPlayer, sizes.jsonBytes * HZ, "bytes/s", perPlayer / (sizes.jsonBytes * HZ)]);
      plot(bytes, "ours: deltas", sizes.visible, perPlayer);
      plot(bytes, "full msgpack snapshot each tick", sizes.visible, sizes.msgpackBytes * HZ);
      plot(bytes, "JSON snapshot each tick", sizes.visible, sizes.jsonBytes * HZ);
      plot(bytes, `budget cap (${BUDGET} B/tick)`, sizes.visible, BUDGET * HZ);
      if (inView !== 50) continue;
      figures.playerBytesPerSecond = perPlayer;
      figures.msgpackSnapshotBytesPerSecond = sizes.msgpackBytes * HZ;
      figures.jsonSnapshotBytesPerSecond = sizes.jsonBytes * HZ;
    }

    const egress: Chart = { name: "egress", title: "Client node egress vs players on the node", x: { label: "players on one client node", log: true }, y: { label: "bytes/s", log: true }, series: [] };
    for (const n of [10, 100, 1000]) {
      ctx.progress(`egress with ${n} players on one client node`);
      const r = await clientTicks(n, ctx.quick ? 30 : 60, "ours");
      rows.push([`egress, ${n} players: zone->client node vs client node->players`, r.zoneBytes * HZ, r.playerBytes * HZ, "bytes/s", r.playerBytes / r.zoneBytes]);
      figures[`zoneToClientBytesPerSecond-${n}p`] = r.zoneBytes * HZ;
      figures[`clientToPlayersBytesPerSecond-${n}p`] = r.playerBytes * HZ;
      plot(egress, "zone → client node", n, r.zoneBytes * HZ);
      plot(egress, "client node → players", n, r.playerBytes * HZ);
    }

    // per way, the largest count whose tick work fits: the 50 ms tick at p50 (most ticks on time)
    // and at p99 (nearly all), and the target, p99 within 20 ms; a way far past the
    // deadline is not tried bigger
    const ways = ["ours", "naive"] as const;
    const fits = { ours: new Fits(), naive: new Fits(), cpu: new Fits() };
    const hopeless = { ours: false, naive: false };
    const counts = ctx.quick ? [250, 1000] : [250, 500, 1000, 2000, 3000];
    // the series named up front, so the legend lists the two ways first
    const work: Chart = {
      name: "tick-work",
      title: "Client node tick work at 20 Hz vs players (one core)",
      x: { label: "players on one client node", log: true },
      y: { label: "ms per tick", log: true },
      series: ["ours p50", "ours p99", "naive p50", "naive p99", "bare framed write p50", "bare ws.send p50"].map((name) => ({ name, points: [] })),
    };
    for (const n of counts) {
      // the fanout's own CPU, without sockets: what the sends add is the difference
      ctx.progress(`fanout only: ${n} players`);
      const cpu = await clientTicks(n, ctx.quick ? 40 : 100, "ours");
      rows.push([`tick work, ${n} players (ours, fanout only, no sends)`, cpu.p50, cpu.p99, "ms (p50 / p99)", cpu.p99 / TICK_MS]);
      fits.cpu.record(n, cpu);
      plot(work, "ours, fanout only, p50", n, cpu.p50);
      plot(work, "tick (50 ms)", n, TICK_MS);
      plot(work, `target p99 (${TARGET_P99_MS} ms)`, n, TARGET_P99_MS);
      if (hopeless.ours && hopeless.naive) continue;
      const conn = await sink(n);
      try {
        for (const how of ways) {
          if (hopeless[how]) continue;
          ctx.progress(`${how}: ${n} players at 20 Hz with WebSocket sends`);
          const r = await clientTicks(n, ctx.quick ? 40 : 100, how, { sockets: conn.sockets });
          rows.push([`tick work, ${n} players (${how}, with ws sends)`, r.p50, r.p99, "ms (p50 / p99)", r.p99 / TICK_MS]);
          figures[`tickP99Ms-${how}-${n}p`] = r.p99;
          figures[`tickP50Ms-${how}-${n}p`] = r.p50;
          fits[how].record(n, r);
          plot(work, `${how} p50`, n, r.p50);
          plot(work, `${how} p99`, n, r.p99);
          if (r.p50 > 2 * TICK_MS) hopeless[how] = true;
          if (how !== "ours") continue;
          // the same frames' bytes sent bare, both ways: what the sockets alone cost, our share above it
          const bare = { "ws.send": { p50: 0, p99: 0 }, framed: { p50: 0, p99: 0 } };
          for (const way of ["framed", "ws.send"] as const) {
            ctx.progress(`bare ${way}: ${n} players at 20 Hz`);
            bare[way] = await bareSends(conn.sockets, r.playerBytes / n, ctx.quick ? 40 : 100, way);
            plot(work, `bare ${way === "framed" ? "framed write" : way} p50`, n, bare[way].p50);
          }
          rows.push([`tick work, ${n} players: ours with sends vs bare framed writes of the same bytes`, r.p50, bare.framed.p50, "ms (p50)", r.p50 / bare.framed.p50]);
          rows.push([`bare sends, ${n} players: one framed write vs ws.send (p99 ${fmt(bare.framed.p99)} vs ${fmt(bare["ws.send"].p99)})`, bare.framed.p50, bare["ws.send"].p50, "ms (p50)", bare.framed.p50 / bare["ws.send"].p50]);
          figures[`bareFramedP50Ms-${n}p`] = bare.framed.p50;
          figures[`bareFramedP99Ms-${n}p`] = bare.framed.p99;
          figures[`bareWsSendP50Ms-${n}p`] = bare["ws.send"].p50;
          figures[`bareWsSendP99Ms-${n}p`] = bare["ws.send"].p99;
          figures[`bareSendFramesPerSecond-${n}p`] = (n * 1000) / Math.max(0.001, bare.framed.p50);
          figures[`sendShareOfTickWork-${n}p`] = bare.framed.p50 / r.p50;
        }
      } finally {
        await conn.close();
      }
    }
    // the same players over two client node processes at once (each with its own sink): what a
    // second client node on the host buys, the realm node placing players across both
    const cores: Chart = { name: "nodes", title: "Tick work p99 vs players on the host: one client node or two", x: { label: "players on the host", log: true }, y: { label: "ms per tick (p99, worst node)", log: true }, series: [] };
    for (const n of ctx.quick ? [1000] : [1000, 2000, 3000]) {
      const rounds = await alternate(
        ctx.quick ? 1 : 3,
        () => {
          ctx.progress(`${n} players on one client node process`);
          return clientNodes(n, 1, ctx.quick ? 40 : 100);
        },
        () => {
          ctx.progress(`${n} players over two client node processes`);
          return clientNodes(n, 2, ctx.quick ? 40 : 100);
        },
      );
      const worst = (runs: NodeTicks[][], of: (t: NodeTicks) => number): number[] => runs.map((nodes) => Math.max(...nodes.map(of)));
      const cpu = (runs: NodeTicks[][]): number[] => runs.map((nodes) => nodes.reduce((sum, t) => sum + t.cpuShare, 0));
      const one = { p50: spreadOf(worst(rounds.a, (t) => t.p50)).median, p99: spreadOf(worst(rounds.a, (t) => t.p99)).median };
      const two = { p50: spreadOf(worst(rounds.b, (t) => t.p50)).median, p99: spreadOf(worst(rounds.b, (t) => t.p99)).median };
      rows.push([`tick work, ${n} players on the host: two client nodes (${n / 2} each, worst node) vs one, p50`, two.p50, one.p50, "ms (median of rounds)", two.p50 / one.p50]);
      rows.push([`tick work, ${n} players on the host: two client nodes vs one, p99 (rounds: ${spreadText(worst(rounds.b, (t) => t.p99))} vs ${spreadText(worst(rounds.a, (t) => t.p99))})`, two.p99, one.p99, "ms (median of rounds)", two.p99 / one.p99]);
      rows.push([`client node processes' CPU (the simulated zone's work included), ${n} players: two together vs one`, spreadOf(cpu(rounds.b)).median, spreadOf(cpu(rounds.a)).median, "cores", spreadOf(cpu(rounds.b)).median / spreadOf(cpu(rounds.a)).median]);
      figures[`twoNodesTickP99Ms-${n}p`] = two.p99;
      figures[`oneNodeTickP99Ms-${n}p`] = one.p99;
      plot(cores, "one client node", n, one.p99);
      plot(cores, "two client nodes (worst)", n, two.p99);
      plot(cores, `target p99 (${TARGET_P99_MS} ms)`, n, TARGET_P99_MS);
    }
    const ratio = (a: number, b: number): Cell => (b > 0 ? a / b : "-");
    rows.push(["players per client node, tick work p50 within 50 ms: ours vs naive", fits.ours.p50, fits.naive.p50, "players", ratio(fits.ours.p50, fits.naive.p50)]);
    rows.push(["players per client node, tick work p99 within 50 ms: ours vs naive", fits.ours.p99, fits.naive.p99, "players", ratio(fits.ours.p99, fits.naive.p99)]);
    rows.push([`players per client node, tick work p99 within ${TARGET_P99_MS} ms (the target: 3,000): ours vs fanout only`, fits.ours.target, fits.cpu.target, "players", ratio(fits.ours.target, fits.cpu.target)]);
    figures.playersPerNodeP50Ours = fits.ours.p50;
    figures.playersPerNodeP50Naive = fits.naive.p50;
    figures.playersPerNodeP99Ours = fits.ours.p99;
    figures.playersPerNodeP99Naive = fits.naive.p99;
    figures.playersPerNodeTargetOurs = fits.ours.target;
    figures.playersPerNodeTargetFanoutOnly = fits.cpu.target;
    figures.playersPerNodeFanoutOnlyP50 = fits.cpu.p50;
    return {
      columns: ["measure", "ours", "other", "unit", "ratio"],
      rows,
      figures,
      notes: [
        `every entity walks at 5 units/s and turns now and then; density gives each player ~50 entities within its ${VISION}-unit vision (the bytes rows sweep that number for their curve); budget ${BUDGET} bytes/tick`,
        "bytes rows: the SMSG_WORLD bytes a player receives (deltas against what it holds) beside the same view as one msgpack-lite / JSON snapshot of objects per tick",
        "egress rows: ours = each subscribed cell block once per tick into the client node; other = the frames it sends its players; ratio = how much the client node multiplies",
        "tick rows: mirror ingest + fanout + one framed write for every player, one core; ratio = p99 as a share of the 50 ms tick; capacity = the largest count tried whose p99 fits",
        "bare rows: a ready frame of our average size sent to every player each tick, nothing computed: the sockets' own cost (on loopback the kernel also does the receiver's work inside each send); ours / bare framed writes = 1 would mean our fanout costs nothing above the sends; framed write / ws.send = what one write of header and payload saves over ws's two (the client node's way since; server frames are unmasked, so bufferutil plays no part in either)",
        "two-node rows: the players split over two client node processes ticking at once, each with its own sink process (all on this host's cores), beside all of them on one; a node's figure is the worse of the two, a figure the median of the rounds",
        `load average before the run: ${loadBefore}; after: ${loadNow()} (other processes share the cores: p99 is pessimistic)`,
      ],
      charts: [bytes, egress, work, cores],
    };
  },
};
