// The entity id a selected character has in the world. Players take ids below 2^24 (zones number
// their NPCs above). A character keeps its id while this realm node runs, so selecting it again
// finds it where it is; a new realm node learns the ids of the characters in the world from the
// zones and client nodes, starts the others at a random point, and a zone refuses an id it
// already gives to another character, so the realm simply takes the next.
const PLAYER_IDS = 0xff_ffff;

export class EntityIds {
  private readonly byCharacter = new Map<string, number>();
  private readonly taken = new Set<number>();
  private next = 1 + Math.floor(Math.random() * (PLAYER_IDS - 1));

  of(characterId: string): number {
    const known = this.byCharacter.get(characterId);
    if (known !== undefined) return known;
    return this.fresh(characterId);
  }

  /** The id a zone or client node already knows the character by (a restarted realm node learning the world). */
  learn(characterId: string, entity: number): void {
    const old = this.byCharacter.get(characterId);
    if (old !== undefined) this.taken.delete(old);
    this.taken.add(entity);
    this.byCharacter.set(characterId, entity);
  }

  /** A new id for the character (its old one turned out to be another's in the zone). */
  fresh(characterId: string): number {
    const old = this.byCharacter.get(characterId);
    if (old !== undefined) this.taken.delete(old);
    while (this.taken.has(this.next)) this.advance();
    const id = this.next;
    this.advance();
    this.taken.add(id);
    this.byCharacter.set(characterId, id);
    return id;
  }

  private advance(): void {
    this.next = this.next >= PLAYER_IDS ? 1 : this.next + 1;
  }
}
