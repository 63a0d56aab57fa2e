// Requests waiting for a free dungeon node: first come, first admitted, one per account. Positions
// count from 1 (next); whoever moves up is told its new position.

export interface Waiting {
  accountId: string;
  characterId: string;
  /** The client node that asked, where the player hears how its request goes. */
  clientNode: string;
  entrance: string;
  since: number;
}

export class DungeonQueue {
  private readonly waiting: Waiting[] = [];

  get length(): number {
    return this.waiting.length;
  }

  get head(): Waiting | undefined {
    return this.waiting[0];
  }

  has(accountId: string): boolean {
    return this.waiting.some((w) => w.accountId === accountId);
  }

  /** Queues the request; its position. */
  push(w: Waiting): number {
    this.waiting.push(w);
    return this.waiting.length;
  }

  /** Removes the request; those behind it, each with its new position. */
  remove(w: Waiting): { waiting: Waiting; position: number }[] {
    const at = this.waiting.indexOf(w);
    if (at < 0) return [];
    this.waiting.splice(at, 1);
    return this.waiting.slice(at).map((waiting, k) => ({ waiting, position: at + k + 1 }));
  }

  all(): readonly Waiting[] {
    return this.waiting;
  }
}
