// One realm's side of a client node: a mirror of the cells its players need per layer (copy k of
// the realm's zones; 0 for the zones themselves) and per dungeon instance its players are in, the
// fanout that turns it into one frame per player per tick, spread over the tick in slots so sends
// do not leave in one burst, and the intents batched toward the zone and instance nodes.
import { performance } from "node:perf_hooks";
import { ByteWriter } from "../../common/bytes.ts";
import { Quantizer } from "../../common/cell-snapshot.ts";
import type { MeshIdentity } from "../../common/mesh/mesh-identity.ts";
import type { Log } from "../../common/log.ts";
import type { Intent, PlayerIntent } from "../../common/protocol/zone.ts";
import type { DungeonKind } from "../../common/dungeons.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { copyOf, nodeOfWorld, worldId } from "../../common/world-address.ts";
import { MoveBatch } from "../../common/move-batch.ts";
import { writeServer } from "../../common/player-codec.ts";
import { CellFeed, type PubSource } from "./cell-feed.ts";
import { DungeonView } from "./dungeon-view.ts";
import { Fanout } from "./fanout.ts";
import { CloseCode, PlayerOp } from "../../common/player-opcodes.ts";
import { MAX_BUFFERED_BYTES, type Player } from "./player.ts";
import { FanoutTimes } from "./fanout-times.ts";
import { WorldMirror } from "./world-mirror.ts";

/** Slots per tick: at 20 Hz a slot every 10 ms, each with up to a fifth of the players. */
const SLOTS = 5;
/**
 * Players a slot takes before the next slot is used. Each slot is a wakeup (about 0.1 ms of CPU on
 * a virtual machine) and an intents flush that wakes every zone: a few hundred players' sends
 * are no burst worth spreading, so they share the tick's first slot, and empty slots never run.
 */
const PLAYERS_PER_SLOT = 200;

interface IntentSink {
  /** `moves`: the batch's moves as binary records (common/move-batch.ts). */
  (node: string, intents: Intent[], moves: Buffer | undefined): void;
}

/** One node's intents of the slot: moves as binary records, the others as they are. */
class Outbox {
  intents: Intent[] = [];
  readonly moves = new MoveBatch();
}

/** One layer of the realm (or one dungeon): what its players see, and the fanout over it. */
interface Layer {
  mirror: WorldMirror;
  fanout: Fanout;
}

export class RealmHub {
  readonly q: Quantizer;
  readonly feed: CellFeed;
  readonly layers = new Map<number, Layer>();
  /** Dungeons this node's players are in, by instance node and then copy: blocks are routed without building a string. */
  readonly dungeons = new Map<string, Map<number, DungeonView>>();
  readonly players = new Set<Player>();
  readonly byEntity = new Map<number, Player>();
  private readonly slotCounts = new Uint32Array(SLOTS);
  /** After a handoff, which copy of the new zone took the player is not said: its cells are looked at in every copy. */
  private readonly probes = new Map<Player, { cells: [number, number][]; until: number }>();
  private readonly outbox: Outbox[];
  private readonly dungeonOutbox = new Map<string, Outbox>();
  private readonly frame = new ByteWriter(4096);
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private step = 0;
  readonly times = new FanoutTimes();
  private tickWork = 0;
  /** The tick `tickWork` is of (-1: none yet). */
  private workTick = -1;
  /** Sums for vitals and benchmarks. */
  bytesOut = 0;
  framesOut = 0;
  heldChanges = 0;

  constructor(
    readonly realm: RealmSpec,
    /** The client node's id, which the zones address its cell batches by. */
    nodeId: string,
    log: Log,
    private readonly sendIntents: IntentSink,
    mesh: MeshIdentity | undefined,
    /** The shared instance pool: a player of this realm may follow into a dungeon on any of them. */
    instances: readonly PubSource[] = [],
  ) {
    this.q = new Quantizer(realm.world.width, realm.world.height);
    this.feed = new CellFeed(realm, nodeId, log, mesh, instances);
    this.outbox = realm.zones.map(() => new Outbox());
    this.layer(0);
  }

  /** The base world, for what does not depend on a layer (quantizer, zone ordinals, tick length). */
  get mirror(): WorldMirror {
    return this.layer(0).mirror;
  }

  layer(copy: number): Layer {
    let l = this.layers.get(copy);
    if (!l) {
      const mirror = new WorldMirror(this.realm, this.q, this.feed, copy);
      l = { mirror, fanout: new Fanout(mirror, this.realm.vision) };
      this.layers.set(copy, l);
    }
    return l;
  }

  get slotMs(): number {
    return 1000 / this.realm.tickHz / SLOTS;
  }

  start(): void {
    this.feed.start((node, copy, cx, cy, block) => {
      const dungeons = this.dungeons.get(node);
      const view = dungeons === undefined ? this.layers.get(copy) : dungeons.get(copy);
      view?.mirror.ingest(node, cx, cy, block, performance.now());
    });
    this.startedAt = performance.now();
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.feed.close();
  }

  /**
   * Slots are scheduled against the start, like the zone's tick: no drift, no catch-up burst. The
   * tick's first slot always runs (it settles the mirrors and flushes the intents); the others
   * only when they have players.
   */
  private schedule(): void {
    do this.step++;
    while (this.step % SLOTS !== 0 && this.slotCounts[this.step % SLOTS] === 0);
    const due = this.startedAt + this.step * this.slotMs;
    this.timer = setTimeout(() => this.runSlot(), Math.max(0, due - performance.now()));
  }

  private runSlot(): void {
    const begin = performance.now();
    const slot = this.step % SLOTS;
    for (const l of this.layers.values()) l.mirror.settle(begin);
    if (this.dungeons.size > 0) for (const byCopy of this.dungeons.values()) for (const d of byCopy.values()) d.mirror.settle(begin);
    if (this.probes.size > 0) this.checkProbes(begin);
    this.flushIntents();
    for (const p of this.players) if (p.slot === slot && p.phase === "world") this.sendFrame(p);
    const end = performance.now();
    // a tick's work is counted once its last slot that ran is done: when a later tick's slot runs
    const tick = Math.floor(this.step / SLOTS);
    if (tick !== this.workTick) {
      if (this.workTick >= 0) this.times.add(this.tickWork);
      this.workTick = tick;
      this.tickWork = 0;
    }
    this.tickWork += end - begin;
    const behind = Math.floor((end - this.startedAt) / this.slotMs) - this.step;
    if (behind > 0) {
      this.times.late(behind);
      this.step += behind;
    }
    if (this.timer !== undefined) this.schedule();
  }

  /** Builds and sends this player's one frame of the tick: its reliable events, then the world. */
  sendFrame(p: Player): void {
    if (p.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      p.close(CloseCode.SLOW_CONSUMER, `more than ${MAX_BUFFERED_BYTES} bytes waiting: the connection is not reading`);
      return;
    }
    this.follow(p);
    const w = this.frame.reset();
    if (p.events.pos > 0) {
      w.raw(p.events.buf, 0, p.events.pos);
      p.events.reset();
    }
    const [px, py] = this.positionOf(p);
    const st = this.viewOf(p).fanout.build(p.view, px, py, this.realm.clientBudgetBytes, p.epoch, w);
    this.heldChanges += st.held;
    p.send(w.buf, w.pos);
    p.framesSent++;
    this.bytesOut += w.pos;
    this.framesOut++;
  }

  /** Where the player's character is: its own record in the cells once seen, else the hint. */
  positionOf(p: Player): [number, number] {
    const m = this.viewOf(p).mirror;
    const s = m.e.byId.get(p.entity);
    if (s !== undefined) {
      p.hintX = m.worldX(s);
      p.hintY = m.worldY(s);
    }
    return [p.hintX, p.hintY];
  }

  /** Keeps the player's cells (vision plus one cell of margin) subscribed as it walks. */
  follow(p: Player): void {
    const [x, y] = this.positionOf(p);
    const m = this.viewOf(p).mirror;
    const center = m.cellAt(x, y);
    if (center === p.centerCell) return;
    p.centerCell = center;
    const cell = m.realm.world.cell;
    const want = this.realm.vision + cell;
    // a held cell is released only past one more cell, so walking along a border does not churn
    const drop = want + cell;
    const now = performance.now();
    const r = Math.ceil(want / cell);
    const ccx = center % m.cols;
    const ccy = Math.floor(center / m.cols);
    for (let cy = Math.max(0, ccy - r); cy <= Math.min(m.rows - 1, ccy + r); cy++) {
      for (let cx = Math.max(0, ccx - r); cx <= Math.min(m.cols - 1, ccx + r); cx++) {
        const c = cy * m.cols + cx;
        if (!p.cells.has(c) && distanceToCell(x, y, cx, cy, cell) <= want) {
          p.cells.add(c);
          m.want(c, now);
        }
      }
    }
    for (const c of p.cells) {
      if (distanceToCell(x, y, c % m.cols, Math.floor(c / m.cols), cell) > drop) {
        p.cells.delete(c);
        m.release(c);
      }
    }
  }

  add(p: Player): void {
    // the first slot with room, else the least full
    let slot = 0;
    for (let s = 1; s < SLOTS && this.slotCounts[slot]! >= PLAYERS_PER_SLOT; s++) if (this.slotCounts[s]! < this.slotCounts[slot]!) slot = s;
    p.slot = slot;
    this.slotCounts[slot]!++;
    if (!this.players.has(p) && p.dungeon) p.dungeon.players++;
    this.players.add(p);
    this.byEntity.set(p.entity, p);
    p.centerCell = -1;
    this.follow(p);
  }

  /** Stops the fanout to a player and gives back its cells; `forget` also drops its entity route. */
  remove(p: Player, forget: boolean): void {
    this.endProbe(p);
    const wasIn = this.players.delete(p);
    if (wasIn) this.slotCounts[p.slot]!--;
    const m = this.viewOf(p).mirror;
    for (const c of p.cells) m.release(c);
    p.cells.clear();
    p.view.clear();
    if (forget && this.byEntity.get(p.entity) === p) this.byEntity.delete(p.entity);
    if (wasIn && p.dungeon && --p.dungeon.players === 0) this.dropDungeon(p.dungeon);
  }

  /** What the player sees from: its dungeon, or its layer of the realm. */
  viewOf(p: Player): Layer {
    return p.dungeon ?? this.layer(p.copy);
  }

  /** The quantizer of the player's world: moves and positions in a dungeon are over the dungeon's size. */
  quantizerOf(p: Player): Quantizer {
    return p.dungeon?.q ?? this.q;
  }

  /** The world id holding the player's character: its instance, or its zone's layer. */
  worldOf(p: Player): string {
    return p.dungeon?.world ?? worldId(this.realm.zones[p.zone]!.id, p.copy);
  }

  /** Whether a world id is one of this realm's zones or their layers (else an instance). */
  isRealmWorld(world: string): boolean {
    return this.mirror.zoneOf(nodeOfWorld(world)) !== undefined;
  }

  /**
   * The character is in another world (into a dungeon of kind `dungeon`, or back in the realm's
   * world): the player's view starts again from nothing there, and the player hears which world
   * it is, so it quantizes its moves over that world's size.
   */
  moveToWorld(p: Player, world: string, x: number, y: number, dungeon: DungeonKind | undefined): void {
    const inHub = this.players.has(p);
    if (!p.dungeon) p.outsideAt = this.positionOf(p);
    if (inHub) this.remove(p, false);
    this.place(p, world, x, y, dungeon);
    p.events.u8(PlayerOp.SMSG_VIEW_RESET);
    this.tellWorld(p);
    if (inHub) this.add(p);
  }

  /** Sets where the player's character is (not yet in the fanout): the world, its layer or dungeon, the place. */
  place(p: Player, world: string, x: number, y: number, dungeon: DungeonKind | undefined): void {
    if (dungeon && !this.isRealmWorld(world)) {
      p.dungeon = this.dungeonView(world, dungeon);
    } else {
      p.dungeon = undefined;
      p.zone = this.mirror.zoneOf(nodeOfWorld(world)) ?? p.zone;
      p.copy = copyOf(world);
    }
    p.hintX = x;
    p.hintY = y;
    p.centerCell = -1;
    p.guard.placeAt(x, y, Date.now());
  }

  /**
   * Queues SMSG_WORLD_CHANGED: which world the player is in now, its size, and where the player is.
   * It counts as a correction: moves the player quantized over the old world's size are dropped.
   */
  tellWorld(p: Player): void {
    p.corrections++;
    const q = this.quantizerOf(p);
    const d = p.dungeon;
    const { width, height, cell } = d ? { width: d.width, height: d.height, cell: d.cell } : this.realm.world;
    writeServer(p.events, { op: PlayerOp.SMSG_WORLD_CHANGED, dungeon: d?.kind ?? "", width, height, cell, qx: q.qx(p.hintX), qy: q.qy(p.hintY) });
  }

  private dungeonView(world: string, kind: DungeonKind): DungeonView {
    const node = nodeOfWorld(world);
    let byCopy = this.dungeons.get(node);
    if (!byCopy) this.dungeons.set(node, (byCopy = new Map()));
    const copy = copyOf(world);
    let view = byCopy.get(copy);
    if (!view || view.kind !== kind) {
      view = new DungeonView(world, kind, this.realm, this.feed);
      byCopy.set(copy, view);
    }
    return view;
  }

  /** The last player of this node left the dungeon (its cells are released, so unsubscribed): the view goes. */
  private dropDungeon(view: DungeonView): void {
    const byCopy = this.dungeons.get(view.node);
    if (byCopy?.get(view.mirror.copy) !== view) return;
    byCopy.delete(view.mirror.copy);
    if (byCopy.size === 0) this.dungeons.delete(view.node);
  }

  /**
   * The player's character is in another copy of its zone now (placed with a friend, or a handoff
   * into a full copy): it sees that layer from the next frame, starting from nothing.
   */
  moveToLayer(p: Player, copy: number): void {
    if (p.copy === copy || p.dungeon) return;
    const inHub = this.players.has(p);
    if (inHub) this.remove(p, false);
    p.copy = copy;
    p.events.u8(PlayerOp.SMSG_VIEW_RESET);
    if (inHub) this.add(p);
  }

  /** The player was handed to another zone, whose copy may differ: look for it around its place in every copy. */
  probeLayers(p: Player): void {
    this.endProbe(p);
    const now = performance.now();
    const [x, y] = this.positionOf(p);
    const base = this.mirror;
    const centre = base.cellAt(x, y);
    const copies = new Set([0, ...this.layers.keys(), Math.max(...this.layers.keys()) + 1]);
    copies.delete(p.copy);
    const cells: [number, number][] = [];
    const cx = centre % base.cols;
    const cy = Math.floor(centre / base.cols);
    for (const k of copies) {
      const m = this.layer(k).mirror;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (cx + dx < 0 || cy + dy < 0 || cx + dx >= base.cols || cy + dy >= base.rows) continue;
          const c = (cy + dy) * base.cols + cx + dx;
          m.want(c, now);
          cells.push([k, c]);
        }
      }
    }
    this.probes.set(p, { cells, until: now + 40 * this.slotMs * SLOTS });
  }

  private checkProbes(now: number): void {
    for (const [p, probe] of this.probes) {
      const own = this.viewOf(p).mirror;
      const s = own.e.byId.get(p.entity);
      if (s !== undefined && own.e.cell[s] !== -1 && own.e.zone[s] === p.zone) {
        this.endProbe(p);
        continue;
      }
      for (const [k] of probe.cells) {
        const m = this.layer(k).mirror;
        const t = m.e.byId.get(p.entity);
        if (t !== undefined && m.e.cell[t] !== -1) {
          this.endProbe(p);
          this.moveToLayer(p, k);
          break;
        }
      }
      if (now > probe.until) this.endProbe(p);
    }
  }

  private endProbe(p: Player): void {
    const probe = this.probes.get(p);
    if (!probe) return;
    this.probes.delete(p);
    for (const [k, c] of probe.cells) this.layer(k).mirror.release(c);
  }

  intent(p: Player, i: PlayerIntent): void {
    const d = p.dungeon;
    let box = d ? this.dungeonOutbox.get(d.node) : this.outbox[p.zone];
    if (!box) this.dungeonOutbox.set(d!.node, (box = new Outbox()));
    const seq = p.seq++;
    if (i.kind === "move") box.moves.add(p.entity, seq, i.x, i.y, i.heading);
    else box.intents.push({ ...i, entity: p.entity, seq });
  }

  flushIntents(): void {
    for (let z = 0; z < this.outbox.length; z++) this.send(this.realm.zones[z]!.id, this.outbox[z]!);
    if (this.dungeonOutbox.size === 0) return;
    for (const [node, box] of this.dungeonOutbox) this.send(node, box);
    this.dungeonOutbox.clear();
  }

  private send(node: string, box: Outbox): void {
    if (box.intents.length === 0 && box.moves.size === 0) return;
    const intents = box.intents;
    box.intents = [];
    this.sendIntents(node, intents, box.moves.size > 0 ? box.moves.take() : undefined);
  }
}

function distanceToCell(x: number, y: number, cx: number, cy: number, cell: number): number {
  const nx = Math.max(cx * cell, Math.min(x, (cx + 1) * cell));
  const ny = Math.max(cy * cell, Math.min(y, (cy + 1) * cell));
  return Math.hypot(x - nx, y - ny);
}
