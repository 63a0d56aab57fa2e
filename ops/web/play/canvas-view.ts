/// <reference lib="dom" />
// The world drawn top-down on a canvas, the camera on the own character: the grid of cells
// faintly, zone borders when the welcome names the regions, then loot, creatures and players with
// health bars. Only drawing and picking live here; what is where comes from the SDK.
import type { VisibleEntity } from "../sdk/realm-client.ts";

export const Kind = { PLAYER: 1, NPC: 2, LOOT: 3 } as const;
const FLAG_COMBAT = 2;
const FLAG_DEAD = 4;

export interface WorldShape {
  worldWidth: number;
  worldHeight: number;
  cell: number;
  vision: number;
  /** [x0, y0, x1, y1] per zone, when the server says. */
  regions?: readonly (readonly number[])[] | undefined;
}

interface Scene {
  now: number;
  world: WorldShape;
  me: { x: number; y: number } | undefined;
  selfId: number;
  entities: readonly VisibleEntity[];
  /** Where a click sent the character, and when. */
  target: { x: number; y: number; at: number } | undefined;
  hoverId: number | undefined;
  /** What the player last attacked or tried to loot: ringed. */
  targetId: number | undefined;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

const COLOURS = {
  ground: "#121613",
  groundEdge: "#0a0c0b",
  outside: "#070707",
  grid: "rgba(200, 190, 160, 0.055)",
  zone: "rgba(217, 169, 78, 0.35)",
  world: "rgba(217, 169, 78, 0.6)",
  vision: "rgba(233, 223, 204, 0.07)",
  me: "#f2c45a",
  player: "#6fa7e0",
  npc: "#d0573f",
  npcCombat: "#ff7a4d",
  loot: "#e8c547",
  dead: "#5b5750",
  label: "rgba(233, 223, 204, 0.92)",
  labelShadow: "rgba(0, 0, 0, 0.85)",
};

export class WorldCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  /** Pixels (CSS) per world unit. */
  private scale = 4;
  private zoom = 1;
  private centre = { x: 0, y: 0 };
  private width = 0;
  private height = 0;
  private lastDrawn: readonly VisibleEntity[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser gives no 2D canvas");
    this.ctx = ctx;
    canvas.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        this.zoom = Math.min(3, Math.max(0.4, this.zoom * (e.deltaY > 0 ? 0.9 : 1.1)));
      },
      { passive: false },
    );
  }

  /** Client (CSS pixel) coordinates to world units, by the last frame's camera. */
  toWorld(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: this.centre.x + (clientX - r.left - this.width / 2) / this.scale, y: this.centre.y + (clientY - r.top - this.height / 2) / this.scale };
  }

  /** World units to client (CSS pixel) coordinates, by the last frame's camera: where to click on something. */
  toClient(x: number, y: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + this.width / 2 + (x - this.centre.x) * this.scale, y: r.top + this.height / 2 + (y - this.centre.y) * this.scale };
  }

  /** The entity under a click, the own one excepted: the nearest within a few pixels. */
  pick(clientX: number, clientY: number, selfId: number): VisibleEntity | undefined {
    const p = this.toWorld(clientX, clientY);
    let best: VisibleEntity | undefined;
    let bestD = Math.max(14 / this.scale, 1.2);
    for (const e of this.lastDrawn) {
      if (e.id === selfId) continue;
      const d = Math.hypot(e.x - p.x, e.y - p.y);
      if (d < bestD) {
        best = e;
        bestD = d;
      }
    }
    return best;
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w !== this.width || h !== this.height || this.canvas.width !== Math.round(w * dpr)) {
      this.width = w;
      this.height = h;
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  draw(scene: Scene): void {
    this.resize();
    const { ctx, width, height } = this;
    const w = scene.world;
    if (width === 0 || height === 0) return;
    // a little over two visions across the shorter side: what the server sends fills the screen
    this.scale = (Math.min(width, height) / (w.vision * 2.2)) * this.zoom;
    if (scene.me) this.centre = { x: scene.me.x, y: scene.me.y };
    this.lastDrawn = scene.entities;
    const s = this.scale;
    const sx = (x: number): number => (x - this.centre.x) * s + width / 2;
    const sy = (y: number): number => (y - this.centre.y) * s + height / 2;

    ctx.fillStyle = COLOURS.outside;
    ctx.fillRect(0, 0, width, height);
    // the world's ground, with a soft light around the character
    const x0 = sx(0);
    const y0 = sy(0);
    const x1 = sx(w.worldWidth);
    const y1 = sy(w.worldHeight);
    const glow = ctx.createRadialGradient(width / 2, height / 2, 0, width / 2, height / 2, Math.max(width, height) * 0.7);
    glow.addColorStop(0, COLOURS.ground);
    glow.addColorStop(1, COLOURS.groundEdge);
    ctx.fillStyle = glow;
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);

    // grid of cells, only the lines on screen
    const left = Math.max(0, this.centre.x - width / 2 / s);
    const right = Math.min(w.worldWidth, this.centre.x + width / 2 / s);
    const top = Math.max(0, this.centre.y - height / 2 / s);
    const bottom = Math.min(w.worldHeight, this.centre.y + height / 2 / s);
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLOURS.grid;
    ctx.beginPath();
    for (let gx = Math.ceil(left / w.cell) * w.cell; gx <= right; gx += w.cell) {
      ctx.moveTo(Math.round(sx(gx)) + 0.5, sy(top));
      ctx.lineTo(Math.round(sx(gx)) + 0.5, sy(bottom));
    }
    for (let gy = Math.ceil(top / w.cell) * w.cell; gy <= bottom; gy += w.cell) {
      ctx.moveTo(sx(left), Math.round(sy(gy)) + 0.5);
      ctx.lineTo(sx(right), Math.round(sy(gy)) + 0.5);
    }
    ctx.stroke();

    // zone borders, dashed: the edges of each region that are not the world's own
    if (w.regions && w.regions.length > 1) {
      ctx.save();
      ctx.strokeStyle = COLOURS.zone;
      ctx.setLineDash([8, 6]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (const r of w.regions) {
        const [rx0 = 0, ry0 = 0, rx1 = 0, ry1 = 0] = r;
        if (rx1 < w.worldWidth) (ctx.moveTo(sx(rx1), sy(ry0)), ctx.lineTo(sx(rx1), sy(ry1)));
        if (ry1 < w.worldHeight) (ctx.moveTo(sx(rx0), sy(ry1)), ctx.lineTo(sx(rx1), sy(ry1)));
      }
      ctx.stroke();
      ctx.restore();
    }
    // the world's edge
    ctx.strokeStyle = COLOURS.world;
    ctx.lineWidth = 2;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);

    // how far the character sees
    if (scene.me) {
      ctx.strokeStyle = COLOURS.vision;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 5]);
      ctx.beginPath();
      ctx.arc(sx(scene.me.x), sy(scene.me.y), w.vision * s, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // where a click sent the character: a ring that fades
    if (scene.target) {
      const age = (scene.now - scene.target.at) / 1000;
      if (age < 1.5) {
        ctx.strokeStyle = `rgba(242, 196, 90, ${0.8 * (1 - age / 1.5)})`;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(sx(scene.target.x), sy(scene.target.y), 4 + age * 10, 0, Math.PI * 2);
        ctx.stroke();
      }
    }

    // loot under creatures, creatures under players, the own one on top
    const order = (e: VisibleEntity): number => (e.id === scene.selfId ? 9 : e.kind === Kind.LOOT ? 0 : e.kind === Kind.NPC ? 1 : 2);
    const sorted = [...scene.entities].sort((a, b) => order(a) - order(b));
    const r = Math.max(7, Math.min(14, 1.3 * s));
    for (const e of sorted) this.entity(e, sx(e.x), sy(e.y), r, scene);
    const chosen = scene.entities.find((e) => e.id === scene.targetId);
    if (chosen) this.targetRing(sx(chosen.x), sy(chosen.y), r, scene.now, chosen.kind === Kind.LOOT);
    for (const e of sorted) if (e.kind !== Kind.LOOT) this.healthBar(e, sx(e.x), sy(e.y), r);
    // labels last, the own first so it always shows: a creature's level that would cover another label is left out, a name moves up
    const placed: Box[] = [];
    const labelled = [...sorted].reverse().filter((e) => e.kind !== Kind.LOOT);
    for (const e of labelled) this.label(e, sx(e.x), sy(e.y), r, e.id === scene.selfId, placed);
  }

  private targetRing(x: number, y: number, r: number, now: number, loot: boolean): void {
    const { ctx } = this;
    ctx.save();
    ctx.strokeStyle = loot ? "rgba(232, 197, 71, 0.9)" : "rgba(255, 110, 80, 0.9)";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 4]);
    ctx.lineDashOffset = -now / 60;
    ctx.beginPath();
    ctx.arc(x, y, r + 5, 0, Math.PI * 2);
    ctx.stroke();
    ctx.restore();
  }

  private entity(e: VisibleEntity, x: number, y: number, r: number, scene: Scene): void {
    const { ctx } = this;
    const own = e.id === scene.selfId;
    const dead = (e.flags & FLAG_DEAD) !== 0;
    const hover = e.id === scene.hoverId;
    ctx.save();
    if (e.kind === Kind.LOOT) {
      // a small chest: a square turned a little, glinting
      const k = r * 0.7;
      ctx.translate(x, y);
      ctx.rotate(Math.PI / 4);
      ctx.shadowColor = COLOURS.loot;
      ctx.shadowBlur = hover ? 14 : 8;
      ctx.fillStyle = COLOURS.loot;
      ctx.fillRect(-k / 2, -k / 2, k, k);
      ctx.strokeStyle = "#5a4510";
      ctx.lineWidth = 1;
      ctx.strokeRect(-k / 2, -k / 2, k, k);
    } else if (e.kind === Kind.NPC) {
      // a creature: a triangle pointing where it faces
      ctx.translate(x, y);
      ctx.rotate(e.heading);
      ctx.fillStyle = dead ? COLOURS.dead : (e.flags & FLAG_COMBAT) !== 0 ? COLOURS.npcCombat : COLOURS.npc;
      ctx.shadowColor = "rgba(0,0,0,0.7)";
      ctx.shadowBlur = 4;
      ctx.beginPath();
      ctx.moveTo(r * 1.1, 0);
      ctx.lineTo(-r * 0.8, r * 0.8);
      ctx.lineTo(-r * 0.45, 0);
      ctx.lineTo(-r * 0.8, -r * 0.8);
      ctx.closePath();
      ctx.fill();
      if (hover) {
        ctx.strokeStyle = "#ffd2c4";
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    } else {
      // a player: a disc with a notch showing where it faces; the own one glows gold
      const colour = dead ? COLOURS.dead : own ? COLOURS.me : COLOURS.player;
      if (own) {
        ctx.shadowColor = COLOURS.me;
        ctx.shadowBlur = 14;
      }
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fill();
      ctx.shadowBlur = 0;
      ctx.strokeStyle = own ? "#fff3cf" : hover ? "#d7e8fa" : "rgba(0,0,0,0.6)";
      ctx.lineWidth = own || hover ? 2 : 1;
      ctx.stroke();
      ctx.strokeStyle = "rgba(10, 10, 10, 0.8)";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + Math.cos(e.heading) * r, y + Math.sin(e.heading) * r);
      ctx.stroke();
    }
    ctx.restore();
  }

  private healthBar(e: VisibleEntity, x: number, y: number, r: number): void {
    const { ctx } = this;
    const bw = Math.max(22, r * 2.6);
    const by = y - r - 8;
    ctx.fillStyle = "rgba(0,0,0,0.7)";
    ctx.fillRect(x - bw / 2 - 1, by - 1, bw + 2, 5);
    const hp = Math.max(0, Math.min(1, e.hp));
    ctx.fillStyle = hp > 0.5 ? "#6fbf5a" : hp > 0.25 ? "#d9b54e" : "#d9553f";
    ctx.fillRect(x - bw / 2, by, bw * hp, 3);
  }

  private label(e: VisibleEntity, x: number, y: number, r: number, own: boolean, placed: Box[]): void {
    const { ctx } = this;
    const player = e.kind === Kind.PLAYER;
    // name (players) or level (creatures)
    const text = player ? (e.name ?? (own ? "you" : `player ${e.id}`)) : `lv ${e.level}`;
    ctx.font = player ? `600 12px system-ui, sans-serif` : `11px system-ui, sans-serif`;
    const half = ctx.measureText(text).width / 2 + 2;
    let base = y - r - 10;
    let box = { x0: x - half, y0: base - 13, x1: x + half, y1: base };
    for (let n = 0; placed.some((b) => overlaps(b, box)); n++) {
      if (!player || n >= 3) return;
      base -= 13;
      box = { x0: x - half, y0: base - 13, x1: x + half, y1: base };
    }
    placed.push(box);
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillStyle = COLOURS.labelShadow;
    ctx.fillText(text, x + 1, base + 1);
    ctx.fillStyle = own ? COLOURS.me : player ? COLOURS.label : "rgba(233, 180, 160, 0.8)";
    ctx.fillText(text, x, base);
  }
}
