import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { InstanceSpec, ZoneSpec } from "../../common/topology.ts";
import { startInstanceNode } from "./instance-node.ts";
import { startZoneNode } from "./zone-node.ts";

// Zone and instance nodes share this entry: both run the same world loop, a zone over its
// region of the realm, an instance over a dungeon opened on demand.
await runNode<ZoneSpec | InstanceSpec>(["zone", "instance"], loadConfig, async (rt, spec) => {
  if (spec.kind === "instance") return startInstanceNode(rt, spec, rt.opts.config);
  const realm = rt.opts.config.realms.find((r) => r.name === spec.realm);
  if (!realm) throw new Error(`${spec.id}: realm ${spec.realm} is not in the config`);
  return startZoneNode(rt, spec, realm);
});
