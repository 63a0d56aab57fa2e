import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { RealmNodeSpec } from "../../common/topology.ts";
import { startRealmNode } from "./realm-node.ts";

await runNode<RealmNodeSpec>(["realm"], loadConfig, (rt, spec) => startRealmNode(rt, spec));
