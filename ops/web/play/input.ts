/// <reference lib="dom" />
// Keys to a walking direction: WASD and the arrows, held together they walk diagonally; a few keys
// are actions (Enter: chat, E: a dungeon). Typing in a field never walks; losing focus stops.

const DIRS: Record<string, [number, number]> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

const typing = (t: EventTarget | null): boolean => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;

export class WalkKeys {
  private readonly held = new Set<string>();

  /** `onChange` hears the new direction (unit length or 0, 0) whenever it changes; `active` says whether the world is on screen; `actions` by key code. */
  constructor(
    private readonly onChange: (dx: number, dy: number) => void,
    private readonly active: () => boolean,
    actions: Record<string, () => void>,
  ) {
    window.addEventListener("keydown", (e) => {
      if (!this.active() || typing(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      const action = actions[e.code];
      if (action) {
        e.preventDefault();
        if (!e.repeat) action();
        return;
      }
      if (!(e.code in DIRS)) return;
      e.preventDefault();
      if (this.held.has(e.code)) return;
      this.held.add(e.code);
      this.changed();
    });
    window.addEventListener("keyup", (e) => {
      if (this.held.delete(e.code)) this.changed();
    });
    window.addEventListener("blur", () => this.release());
  }

  /** Lets go of every key (the page lost focus, or a field took it). */
  release(): void {
    if (this.held.size === 0) return;
    this.held.clear();
    this.changed();
  }

  private changed(): void {
    let dx = 0;
    let dy = 0;
    for (const code of this.held) {
      const d = DIRS[code];
      if (d) {
        dx += d[0];
        dy += d[1];
      }
    }
    dx = Math.sign(dx);
    dy = Math.sign(dy);
    const len = Math.hypot(dx, dy) || 1;
    this.onChange(dx / len, dy / len);
  }
}
