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
}
