// `realm node <ID>`: runs one node of realms.yaml in the foreground, for a host that runs some of
// the realm's nodes. It is what the systemd units and the Kubernetes pods run, and what a node's
// `restart:` command may call on its host.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { UsageError } from "../common/errors.ts";
import { nodeProcess } from "../common/launch.ts";
import { allNodes, findNode } from "../common/topology.ts";
import { configFrom, dataDirOf, options, type Command } from "./command.ts";

export const node: Command = {
  usage: ["node <ID> [--config F] [--data DIR]  run one node in the foreground (what systemd units and pods run)"],
  async run(argv) {
    const { values, positionals } = options(argv);
    const [id, ...extra] = positionals;
    if (id === undefined) throw new UsageError("which node? give its id, e.g. realm node FORTRAX-ZONE-1");
    if (extra.length > 0) throw new UsageError(`one node id, not ${positionals.length}: ${positionals.join(" ")}`);
    const config = configFrom(values);
    const spec = findNode(config, id);
    if (!spec) throw new UsageError(`no node ${id} in ${config.file} (its nodes: ${allNodes(config).map((n) => n.id).join(", ")})`);
    // the node itself, not its `restart:` command: that command is how others reach this host, and may call us
    const child = nodeProcess(spec, { configFile: config.file, dataDir: dataDirOf(config, values.data), env: process.env });
    // output stays on our stdout, where the journal or `kubectl logs` collects it
    const running = spawn(child.file, child.args, { stdio: "inherit", env: child.env });
    // the node stops cleanly on SIGTERM/SIGINT; we pass them on and wait for it, so a unit stop waits too
    const forward = (signal: NodeJS.Signals) => () => running.kill(signal);
    process.on("SIGTERM", forward("SIGTERM"));
    process.on("SIGINT", forward("SIGINT"));
    return new Promise<number>((resolve, reject) => {
      running.once("error", reject);
      running.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  },
};
