// Copies of one zone. Past `layerPlayers` players in a copy, newcomers go to another copy (a
// layer) of the same region on the same node, so a crowd never makes one copy unplayable. A player
// joins the copy of the party member or friend it names if there is room; a group that crosses a
// border together keeps its copy number on the other side. An extra copy that stays empty closes.
import type { Zone } from "./zone.ts";

/** How long an extra copy may stay empty before it closes. */
const EMPTY_LAYER_MS = 30_000;

export class Layers {
  /** Copy k at index k; a closed extra copy leaves a hole that the next opening fills. */
  private readonly copies: (Zone | undefined)[] = [];
  private readonly emptySince = new Map<number, number>();

  constructor(
    private readonly threshold: number,
    private readonly make: (copy: number) => Zone,
    private readonly dispose: (copy: number, zone: Zone) => void,
  ) {
    this.copies.push(make(0));
  }

  get base(): Zone {
    return this.copies[0]!;
  }

  all(): Zone[] {
    return this.copies.filter((z): z is Zone => z !== undefined);
  }

  indexOf(zone: Zone): number {
    return this.copies.indexOf(zone);
  }

  get players(): number {
    let n = 0;
    for (const z of this.all()) n += z.playerCount;
    return n;
  }

  /** The copy holding this entity, if any. */
  owner(entity: number): Zone | undefined {
    return this.all().find((z) => z.owns(entity));
  }

  /** Where a newcomer goes: with `friend` or in copy `prefer` if there is room, else the first copy with room, else a new one. */
  place(opts: { friend?: number | undefined; prefer?: number | undefined } = {}): Zone {
    const room = (z: Zone | undefined): z is Zone => z !== undefined && z.playerCount < this.threshold;
    const withFriend = opts.friend === undefined ? undefined : this.owner(opts.friend);
    if (room(withFriend)) return withFriend;
    const preferred = opts.prefer === undefined ? undefined : this.copies[opts.prefer];
    if (room(preferred)) return preferred;
    const free = this.copies.find(room);
    if (free) return free;
    const hole = this.copies.indexOf(undefined);
    const k = hole >= 0 ? hole : this.copies.length;
    const zone = this.make(k);
    this.copies[k] = zone;
    return zone;
  }

  /** Closes extra copies that stayed empty long enough. */
  sweep(now: number): void {
    for (let k = 1; k < this.copies.length; k++) {
      const z = this.copies[k];
      if (!z) continue;
      if (z.playerCount > 0) {
        this.emptySince.delete(k);
        continue;
      }
      const since = this.emptySince.get(k) ?? now;
      this.emptySince.set(k, since);
      if (now - since >= EMPTY_LAYER_MS) {
        this.copies[k] = undefined;
        this.emptySince.delete(k);
        this.dispose(k, z);
      }
    }
  }
}
