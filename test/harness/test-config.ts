// A realms.yaml for one test: ops/config-copy.ts, which benchmarks and chaos runs share.
export { SHIPPED_CONFIG, writeConfigCopy as writeTestConfig } from "../../ops/config-copy.ts";
export { remapPorts } from "../../ops/free-ports.ts";

/** An edit for writeTestConfig: a 400 x 400 world in two zones of 40 NPCs, so bots starting at the zones' centres find NPCs at once. */
export function smallWorld(doc: any): void {
  const r = doc.realms[0];
  r.world = { width: 400, height: 400, cell: 50 };
  r.zones[0].region = [0, 0, 200, 400];
  r.zones[1].region = [200, 0, 400, 400];
  for (const z of r.zones) z.npcs = 40;
  entrancesAtCentres(doc);
}

/**
 * The shipped dungeon entrances moved to the centres of the first realm's zones (where new
 * characters start), for an edit that shrank or split its world: an entrance outside it is refused.
 */
export function entrancesAtCentres(doc: any): void {
  const r = doc.realms[0];
  r.dungeons = r.dungeons?.map((d: any, i: number) => {
    const [x0, y0, x1, y1] = r.zones[i % r.zones.length].region;
    return { ...d, at: [(x0 + x1) / 2, (y0 + y1) / 2] };
  });
}
