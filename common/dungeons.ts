// The dungeon kinds and their maps: the instance node builds a dungeon from its map, the client
// node sizes its view of it (quantizer, cells) from the same map, and realms.yaml names a kind
// at each entrance.
export const DUNGEONS = ["crypt", "mine", "keep"] as const;
export type DungeonKind = (typeof DUNGEONS)[number];

export interface DungeonMap {
  width: number;
  height: number;
  cell: number;
  npcs: number;
  /** Where a party lands inside, world units of the dungeon. */
  entrance: [number, number];
}

export const DUNGEON_MAPS: Record<DungeonKind, DungeonMap> = {
  crypt: { width: 400, height: 400, cell: 50, npcs: 30, entrance: [20, 20] },
  mine: { width: 600, height: 300, cell: 50, npcs: 40, entrance: [20, 150] },
  keep: { width: 800, height: 800, cell: 50, npcs: 80, entrance: [400, 20] },
};
