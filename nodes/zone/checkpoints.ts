// Saving players to the realm's database node: every 30 s (spread over the interval so the
// database sees a steady trickle, not a wave), when a player leaves, and when the zone stops.
// Each save carries a version one above the last, so a late or retried save never overwrites a
// newer one. Saving never blocks the tick: the tick only queues.
import { DbError } from "../../common/errors.ts";
import type { DatabaseClient } from "../../common/db-client.ts";
import type { Log } from "../../common/log.ts";
import type { PlayerState } from "../../common/protocol/zone.ts";
import type { PlayerInfo, Zone } from "./zone.ts";

/** How long a stopping zone waits for its last saves. */
const FINAL_SAVE_MS = 2500;

export class Checkpoints {
  saved = 0;
  failed = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly due = new Map<string, number>();

  constructor(
    private readonly db: DatabaseClient,
    private readonly log: Log,
    private readonly everyMs: number,
    /** Where the save puts the player: inside a dungeon, the entrance (the dungeon's coordinates mean nothing in the realm's world). */
    private readonly placeOf: (state: PlayerState) => { x: number; y: number } = (state) => state,
  ) {}

  /** Called every tick: saves the players whose turn has come. */
  tick(zone: Zone, now: number): void {
    for (const [slot, info] of zone.players) {
      const at = this.due.get(info.characterId);
      if (at === undefined) {
        // first sight of the player: its turn comes at a random point of the interval
        this.due.set(info.characterId, now + Math.random() * this.everyMs);
      } else if (now >= at) {
        this.due.set(info.characterId, now + this.everyMs);
        this.save(zone.stateOf(slot, info), info);
      }
    }
  }

  /** The player just arrived (into a dungeon): save where a crash would bring it back, now. */
  arrived(state: PlayerState, info: PlayerInfo, now: number): void {
    this.due.set(info.characterId, now + this.everyMs);
    this.save(state, info);
  }

  /** The player left (the game or the zone): save it now and forget its turn. */
  departed(state: PlayerState): void {
    this.due.delete(state.characterId);
    this.save(state);
  }

  /** Saves every player of the zones and waits (a little) for the saves in flight. */
  async flush(zones: Zone[]): Promise<void> {
    for (const zone of zones) for (const [slot, info] of zone.players) this.save(zone.stateOf(slot, info), info);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, FINAL_SAVE_MS)));
    await Promise.race([Promise.allSettled([...this.inFlight]), late]);
    clearTimeout(timer);
    if (this.inFlight.size > 0) this.log.warn("checkpoints-unfinished", { count: this.inFlight.size });
  }

  private save(state: PlayerState, info?: PlayerInfo): void {
    const version = state.version + 1;
    if (info) info.version = version;
    const stats = { hp: state.hp, maxHp: state.maxHp, speed: state.speed };
    const { x, y } = this.placeOf(state);
    this.track(
      this.db.saveCheckpoint(state.characterId, version, { level: state.level, x, y, stats }).then(
        () => void this.saved++,
        (err: Error) => {
          this.failed++;
          const code = err instanceof DbError ? err.code : undefined;
          this.log.warn("checkpoint-not-saved", { character: state.characterId, version, code, error: err.message });
        },
      ),
    );
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
