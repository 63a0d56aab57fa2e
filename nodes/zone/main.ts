import * as zmq from "zeromq";
import { runNode } from "../../common/main.ts";
import type { InstanceSpec, ZoneSpec } from "../../config/model.ts";
import { TickLoop } from "./tick-loop.ts";

// Zone and instance nodes share this entry: both run the same world loop over a region.
await runNode<ZoneSpec | InstanceSpec>(["zone", "instance"], async (rt, spec) => {
  const realm = rt.opts.config.realms.find((r) => r.name === spec.realm);
  const pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 10_000 });
  try {
    await pub.bind(spec.pub);
  } catch (err) {
    pub.close();
    throw new Error(`cannot bind pub ${spec.pub}: ${(err as Error).message}`);
  }
  const loop = new TickLoop(realm?.tickHz ?? 20, () => {});
  rt.addVitals(() => {
    const s = loop.stats();
    return { entities: 0, players: 0, ticks: s.ticks, ticksSkipped: s.skipped, tickP50Ms: s.p50Ms, tickP99Ms: s.p99Ms, tickMaxMs: s.maxMs };
  });
  rt.onStop(() => {
    loop.stop();
    pub.close();
  });
  loop.start();
});
