import { runNode } from "../../common/main.ts";
import type { InstanceSpec, ZoneSpec } from "../../config/model.ts";
import { TickLoop } from "./tick-loop.ts";
import { startZoneNode } from "./zone-node.ts";

// Zone and instance nodes share this entry: both run the world loop; instances get their
// dungeons on demand (the instance issue), until then they keep time only.
await runNode<ZoneSpec | InstanceSpec>(["zone", "instance"], async (rt, spec) => {
  if (spec.kind === "zone") {
    const realm = rt.opts.config.realms.find((r) => r.name === spec.realm);
    if (!realm) throw new Error(`${spec.id}: realm ${spec.realm} is not in the config`);
    return startZoneNode(rt, spec, realm);
  }
  const loop = new TickLoop(20, () => {});
  rt.addVitals(() => {
    const s = loop.stats();
    return { players: 0, ticks: s.ticks, tickP50Ms: s.p50Ms, tickP99Ms: s.p99Ms, tickMaxMs: s.maxMs };
  });
  rt.onStop(() => loop.stop());
  loop.start();
});
