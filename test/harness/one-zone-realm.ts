// The realm spec an in-process mirror and fanout need: a square world of 50-unit cells, one zone
// over all of it, vision 100, 20 Hz, a 1,000-byte budget.
import type { RealmSpec } from "../../common/topology.ts";

export function oneZoneRealm(name: string, size: number): RealmSpec {
  return {
    name,
    tickHz: 20,
    world: { width: size, height: size, cell: 50 },
    vision: 100,
    clientBudgetBytes: 1000,
    zones: [{ id: "Z", region: [0, 0, size, size] }],
  } as unknown as RealmSpec;
}
