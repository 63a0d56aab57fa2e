// The zone's interest groups: a grid of cells over its region, each listing the entities in it.
// Cells are numbered in world coordinates (cx, cy) so that neighbouring zones agree on them.
import type { Entities } from "./entities.ts";

export type Region = readonly [number, number, number, number];

export class Grid {
  readonly cx0: number;
  readonly cy0: number;
  readonly cols: number;
  readonly rows: number;
  /** Entity slots per local cell. */
  readonly members: number[][];
  /** Player slots per local cell: NPCs look for players here, and sleep where there are none around. */
  readonly playerMembers: number[][];
  /** Players per local cell. */
  readonly players: Int32Array;

  constructor(
    readonly region: Region,
    readonly cellSize: number,
  ) {
    this.cx0 = Math.floor(region[0] / cellSize);
    this.cy0 = Math.floor(region[1] / cellSize);
    this.cols = Math.ceil(region[2] / cellSize) - this.cx0;
    this.rows = Math.ceil(region[3] / cellSize) - this.cy0;
    this.members = Array.from({ length: this.cols * this.rows }, () => []);
    this.playerMembers = Array.from({ length: this.cols * this.rows }, () => []);
    this.players = new Int32Array(this.cols * this.rows);
  }

  get cells(): number {
    return this.members.length;
  }

  /** The local cell holding a point; points past the region's edge count in its border cells. */
  cellAt(x: number, y: number): number {
    const c = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.cellSize) - this.cx0));
    const r = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.cellSize) - this.cy0));
    return r * this.cols + c;
  }

  cx(cell: number): number {
    return this.cx0 + (cell % this.cols);
  }

  cy(cell: number): number {
    return this.cy0 + Math.floor(cell / this.cols);
  }

  /** The local cell of world cell (cx, cy), or -1 when it is not in this zone. */
  local(cx: number, cy: number): number {
    const c = cx - this.cx0;
    const r = cy - this.cy0;
    return c < 0 || r < 0 || c >= this.cols || r >= this.rows ? -1 : r * this.cols + c;
  }

  contains(x: number, y: number): boolean {
    return x >= this.region[0] && x < this.region[2] && y >= this.region[1] && y < this.region[3];
  }

  /** Lists the entity in the cell of its position; returns true when it changed cells. */
  place(e: Entities, s: number): boolean {
    const next = this.cellAt(e.x[s]!, e.y[s]!);
    const prev = e.cell[s]!;
    if (next === prev) return false;
    if (prev >= 0) this.unlist(e, s, prev);
    e.cellPos[s] = this.members[next]!.push(s) - 1;
    if (e.isPlayer(s)) {
      e.playerPos[s] = this.playerMembers[next]!.push(s) - 1;
      this.players[next]!++;
    }
    e.cell[s] = next;
    return true;
  }

  remove(e: Entities, s: number): void {
    const prev = e.cell[s]!;
    if (prev >= 0) this.unlist(e, s, prev);
    e.cell[s] = -1;
  }

  /** True when a player is within `reach` cells of this one (so it may see what happens here). */
  watched(cell: number, reach: number): boolean {
    const c = cell % this.cols;
    const r = Math.floor(cell / this.cols);
    for (let dr = -reach; dr <= reach; dr++) {
      for (let dc = -reach; dc <= reach; dc++) {
        const cc = c + dc;
        const rr = r + dr;
        if (cc >= 0 && rr >= 0 && cc < this.cols && rr < this.rows && this.players[rr * this.cols + cc]! > 0) return true;
      }
    }
    return false;
  }

  private unlist(e: Entities, s: number, cell: number): void {
    swapRemove(this.members[cell]!, e.cellPos, s);
    if (e.isPlayer(s)) {
      swapRemove(this.playerMembers[cell]!, e.playerPos, s);
      this.players[cell]!--;
    }
  }
}

/** O(1) removal from a cell's list: the last entry takes the leaving one's place. */
function swapRemove(list: number[], pos: Int32Array, s: number): void {
  const at = pos[s]!;
  const last = list.pop()!;
  if (last !== s) {
    list[at] = last;
    pos[last] = at;
  }
  pos[s] = -1;
}
