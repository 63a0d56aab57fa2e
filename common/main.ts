// The shared entry of every node process: arguments, config, signals, and a clear last word
// (a `fatal` log line and a non-zero exit) when the node cannot run.
import { parseArgs } from "node:util";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { createLog, errorFields } from "./log.ts";
import { stopWithParent } from "./launch.ts";
import { NodeRuntime } from "./node.ts";
import { findNode, type AnyNodeSpec, type NodeKind, type RealmsConfig } from "./topology.ts";

interface NodeArgs {
  config: string;
  node: string;
  data: string | undefined;
}

function parseNodeArgs(argv: string[]): NodeArgs {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: "string" }, node: { type: "string" }, data: { type: "string" } },
    strict: true,
  });
  if (!values.config || !values.node) throw new Error("usage: main.ts --config <realms.yaml> --node <NODE-ID> [--data <dir>]");
  return { config: values.config, node: values.node, data: values.data };
}

/** Kind-specific setup: registers handlers and vitals, binds the kind's own sockets. */
type NodeBuilder<S extends AnyNodeSpec> = (rt: NodeRuntime, spec: S, dataDir: string) => Promise<void> | void;

/** Reads and checks realms.yaml: config/load.ts's, given by the node's entry so that common/ never imports config/. */
type ConfigLoader = (file: string) => RealmsConfig;

export async function runNode<S extends AnyNodeSpec>(kinds: readonly NodeKind[], loadConfig: ConfigLoader, build: NodeBuilder<S>): Promise<void> {
  let log = createLog(process.env.REALM_NODE_ID ?? `${kinds[0]}-${process.pid}`);
  const die = (error: unknown, code = 1): never => {
    log.error("fatal", errorFields(error));
    process.exit(code);
  };
  process.on("uncaughtException", (err) => die(err));
  process.on("unhandledRejection", (err) => die(err));

  let args: NodeArgs;
  try {
    args = parseNodeArgs(process.argv.slice(2));
  } catch (err) {
    return die(err, 2);
  }
  log = createLog(args.node);
  let rt: NodeRuntime;
  try {
    const config = loadConfig(args.config);
    const spec = findNode(config, args.node);
    if (!spec) throw new Error(`${args.config}: no node ${args.node}`);
    if (!kinds.includes(spec.kind)) throw new Error(`${args.node} is a ${spec.kind} node, not ${kinds.join("/")}`);
    const dataRoot = path.resolve(args.data ?? config.dataDir);
    const dataDir = path.join(dataRoot, spec.id);
    mkdirSync(dataDir, { recursive: true });
    rt = new NodeRuntime({ config, spec, dataRoot });
    log = rt.log;
    void rt.whenStopped.then(() => process.exit(0));
    process.on("SIGTERM", () => void rt.stop("SIGTERM"));
    process.on("SIGINT", () => void rt.stop("SIGINT"));
    stopWithParent(() => void rt.stop("launcher gone"));
    await build(rt, spec as S, dataDir);
    await rt.start();
  } catch (err) {
    return die(err);
  }
}
