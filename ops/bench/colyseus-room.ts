// The Colyseus side of the peer benchmark: a room equivalent to our zone + client node for the
// benchmark's scenarios. Each player is an entity (x, y quantized to u16 as in our protocol,
// heading and hp as u8); moves pass the same movement check as our zone's (the same
// MoveAllowance); each client's StateView holds the entities within vision of its own, grid
// interest kept up to date every tick, with our client node's 10 % hysteresis.
import { Room, type Client } from "@colyseus/core";
import { schema, StateView, t, type SchemaType } from "@colyseus/schema";
import { Quantizer } from "../../common/cell-snapshot.ts";
import { MoveAllowance, Terrain } from "../../nodes/zone/movement.ts";
import { CELL, FULL_HP, SPEED, TICK_MS, VISION, VISION_KEEP, WORLD } from "./peer-walk.ts";

export const ROOM_NAME = "peer";
export const MOVE = "move";

export const Entity = schema({ x: t.uint16(), y: t.uint16(), heading: t.uint8(), hp: t.uint8() }, "Entity");
export type Entity = SchemaType<typeof Entity>;

// the whole map is filtered: a client receives only the entities its view holds
export const WorldState = schema({ entities: t.map(Entity).view() }, "WorldState");
export type WorldState = SchemaType<typeof WorldState>;

/** What a client sends at 20 Hz: its position in the protocol's quanta and its heading. */
interface MoveMessage {
  x: number;
  y: number;
  heading: number;
}

interface JoinOptions {
  x: number;
  y: number;
}

export interface RoomStats {
  players: number;
  moves: number;
  /** Moves the movement check refused (the walk is meant to make none). */
  refused: number;
  /** Messages that were not a well-formed move. */
  malformed: number;
}

interface Player {
  client: Client;
  entity: Entity;
  x: number;
  y: number;
  cell: number;
  allowance: MoveAllowance;
  /** The players whose entity this client's view holds. */
  seen: Set<Player>;
}

const COLS = WORLD / CELL;
const REACH = Math.ceil(VISION_KEEP / CELL);
const q = new Quantizer(WORLD, WORLD);
const terrain = new Terrain([0, 0, WORLD, WORLD], []);

const cellOf = (x: number, y: number): number => Math.floor(y / CELL) * COLS + Math.floor(x / CELL);

function isU16(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
}

function asMove(m: unknown): MoveMessage | undefined {
  if (m === null || typeof m !== "object") return undefined;
  const { x, y, heading } = m as Record<string, unknown>;
  return isU16(x) && isU16(y) && isU16(heading) && heading <= 255 ? { x, y, heading } : undefined;
}

function asJoin(o: unknown): JoinOptions | undefined {
  if (o === null || typeof o !== "object") return undefined;
  const { x, y } = o as Record<string, unknown>;
  return typeof x === "number" && typeof y === "number" && terrain.inWorld(x, y) ? { x, y } : undefined;
}

/** Counts for the benchmark, read by the server's entry (one room per server process). */
export const stats: RoomStats = { players: 0, moves: 0, refused: 0, malformed: 0 };

export class GridRoom extends Room<{ state: WorldState }> {
  state = new WorldState();
  private readonly players = new Map<string, Player>();
  private readonly cells = new Map<number, Set<Player>>();

  onCreate(): void {
    this.patchRate = TICK_MS;
    this.onMessage(MOVE, (client: Client, message: unknown) => this.move(client, message));
    this.setSimulationInterval((deltaMs) => this.tick(deltaMs), TICK_MS);
  }

  onJoin(client: Client, options: unknown): void {
    const at = asJoin(options);
    if (!at) throw new Error("join options must be {x, y} inside the world");
    const entity = new Entity();
    entity.x = q.qx(at.x);
    entity.y = q.qy(at.y);
    entity.heading = 0;
    entity.hp = FULL_HP;
    this.state.entities.set(client.sessionId, entity);
    client.view = new StateView();
    const p: Player = { client, entity, x: at.x, y: at.y, cell: cellOf(at.x, at.y), allowance: new MoveAllowance(SPEED), seen: new Set() };
    this.players.set(client.sessionId, p);
    this.place(p);
    stats.players = this.players.size;
  }

  onLeave(client: Client): void {
    const p = this.players.get(client.sessionId);
    if (!p) return;
    this.players.delete(client.sessionId);
    this.cells.get(p.cell)?.delete(p);
    for (const other of this.players.values()) other.seen.delete(p);
    this.state.entities.delete(client.sessionId);
    stats.players = this.players.size;
  }

  private place(p: Player): void {
    let members = this.cells.get(p.cell);
    if (!members) this.cells.set(p.cell, (members = new Set()));
    members.add(p);
  }

  private move(client: Client, message: unknown): void {
    const p = this.players.get(client.sessionId);
    const m = asMove(message);
    if (!p || !m) {
      stats.malformed++;
      return;
    }
    stats.moves++;
    const x = q.x(m.x);
    const y = q.y(m.y);
    if (p.allowance.check(terrain, p.x, p.y, x, y) !== "ok") {
      stats.refused++;
      return;
    }
    p.x = x;
    p.y = y;
    p.entity.x = m.x;
    p.entity.y = m.y;
    p.entity.heading = m.heading;
    const cell = cellOf(x, y);
    if (cell !== p.cell) {
      this.cells.get(p.cell)?.delete(p);
      p.cell = cell;
      this.place(p);
    }
  }

  /** Every tick: earn movement, then bring every view up to date with who is within vision. */
  private tick(deltaMs: number): void {
    for (const p of this.players.values()) p.allowance.earn(deltaMs / 1000);
    for (const p of this.players.values()) this.updateView(p);
  }

  private updateView(p: Player): void {
    const view = p.client.view;
    if (!view) return;
    const next = new Set<Player>();
    const cx = p.cell % COLS;
    const cy = Math.floor(p.cell / COLS);
    for (let y = Math.max(0, cy - REACH); y <= Math.min(COLS - 1, cy + REACH); y++) {
      for (let x = Math.max(0, cx - REACH); x <= Math.min(COLS - 1, cx + REACH); x++) {
        for (const o of this.cells.get(y * COLS + x) ?? []) {
          const d = Math.hypot(o.x - p.x, o.y - p.y);
          if (d <= (p.seen.has(o) ? VISION_KEEP : VISION)) next.add(o);
        }
      }
    }
    for (const o of p.seen) if (!next.has(o)) view.remove(o.entity);
    for (const o of next) if (!p.seen.has(o)) view.add(o.entity);
    p.seen = next;
  }
}
