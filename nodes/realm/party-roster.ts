// The one seam between parties (the social layer) and what takes a party somewhere together:
// a dungeon's entrance, a zone's copy.

/** The characters of a character's party, the leader first; alone: just the character. */
export type PartyRoster = (characterId: string) => Promise<string[]>;
export const ALONE: PartyRoster = async (characterId) => [characterId];
