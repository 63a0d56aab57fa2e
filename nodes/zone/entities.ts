// Every entity of a zone in typed arrays, indexed by a slot reused after removal: the tick walks
// thousands of entities 20 times a second and must not allocate per entity.
import { EntityKind, type EntityKindCode } from "../../common/cell-snapshot.ts";

export class Entities {
  capacity: number;
  /** Slots in use are < `high`; free ones are on the free list. */
  high = 0;
  count = 0;
  id: Uint32Array;
  kind: Uint8Array;
  alive: Uint8Array;
  x: Float64Array;
  y: Float64Array;
  heading: Float32Array;
  /** Where the entity walks to (NaN when standing). */
  tx: Float64Array;
  ty: Float64Array;
  speed: Float32Array;
  hp: Int32Array;
  maxHp: Int32Array;
  level: Uint8Array;
  template: Uint16Array;
  flags: Uint8Array;
  /** The grid cell index the entity is listed in (-1 when none), and its place in that cell's lists. */
  cell: Int32Array;
  cellPos: Int32Array;
  playerPos: Int32Array;
  private free: number[] = [];
  private readonly slotOf = new Map<number, number>();

  constructor(initial = 1024) {
    this.capacity = initial;
    this.id = new Uint32Array(initial);
    this.kind = new Uint8Array(initial);
    this.alive = new Uint8Array(initial);
    this.x = new Float64Array(initial);
    this.y = new Float64Array(initial);
    this.heading = new Float32Array(initial);
    this.tx = new Float64Array(initial);
    this.ty = new Float64Array(initial);
    this.speed = new Float32Array(initial);
    this.hp = new Int32Array(initial);
    this.maxHp = new Int32Array(initial);
    this.level = new Uint8Array(initial);
    this.template = new Uint16Array(initial);
    this.flags = new Uint8Array(initial);
    this.cell = new Int32Array(initial).fill(-1);
    this.cellPos = new Int32Array(initial).fill(-1);
    this.playerPos = new Int32Array(initial).fill(-1);
  }

  slot(id: number): number | undefined {
    return this.slotOf.get(id);
  }

  add(id: number, kind: EntityKindCode, x: number, y: number, speed: number, maxHp: number, level = 1, template = 0): number {
    if (this.slotOf.has(id)) throw new Error(`entity ${id} already exists`);
    const s = this.free.pop() ?? this.high++;
    if (s >= this.capacity) this.grow();
    this.id[s] = id;
    this.kind[s] = kind;
    this.alive[s] = 1;
    this.x[s] = x;
    this.y[s] = y;
    this.heading[s] = 0;
    this.tx[s] = NaN;
    this.ty[s] = NaN;
    this.speed[s] = speed;
    this.hp[s] = maxHp;
    this.maxHp[s] = maxHp;
    this.level[s] = level;
    this.template[s] = template;
    this.flags[s] = 0;
    this.cell[s] = -1;
    this.slotOf.set(id, s);
    this.count++;
    return s;
  }

  remove(s: number): void {
    if (!this.alive[s]) return;
    this.alive[s] = 0;
    this.slotOf.delete(this.id[s]!);
    this.free.push(s);
    this.count--;
  }

  isPlayer(s: number): boolean {
    return this.kind[s] === EntityKind.PLAYER;
  }

  private grow(): void {
    const next = this.capacity * 2;
    const copy = <T extends Float64Array | Float32Array | Uint32Array | Uint8Array | Uint16Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(next);
      b.set(a);
      return b;
    };
    this.id = copy(this.id, (n) => new Uint32Array(n));
    this.kind = copy(this.kind, (n) => new Uint8Array(n));
    this.alive = copy(this.alive, (n) => new Uint8Array(n));
    this.x = copy(this.x, (n) => new Float64Array(n));
    this.y = copy(this.y, (n) => new Float64Array(n));
    this.heading = copy(this.heading, (n) => new Float32Array(n));
    this.tx = copy(this.tx, (n) => new Float64Array(n));
    this.ty = copy(this.ty, (n) => new Float64Array(n));
    this.speed = copy(this.speed, (n) => new Float32Array(n));
    this.hp = copy(this.hp, (n) => new Int32Array(n));
    this.maxHp = copy(this.maxHp, (n) => new Int32Array(n));
    this.level = copy(this.level, (n) => new Uint8Array(n));
    this.template = copy(this.template, (n) => new Uint16Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.cell = copy(this.cell, (n) => new Int32Array(n).fill(-1));
    this.cellPos = copy(this.cellPos, (n) => new Int32Array(n).fill(-1));
    this.playerPos = copy(this.playerPos, (n) => new Int32Array(n).fill(-1));
    this.capacity = next;
  }
}
