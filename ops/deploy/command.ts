// `realm deploy <target>`: writes what an existing engine needs to run the realm of realms.yaml.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../../common/errors.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import { configFrom, options, type Command } from "../command.ts";
import { kubernetesFiles } from "./kubernetes.ts";
import { systemdFiles } from "./systemd.ts";

const TARGETS: Record<string, (config: RealmsConfig, opts: { image: string }) => Map<string, string>> = {
  systemd: (config) => systemdFiles(config),
  kubernetes: (config, opts) => kubernetesFiles(config, opts.image),
};

/** An image with this repository at /app and its node_modules installed. */
const DEFAULT_IMAGE = "realm:latest";

export const deploy: Command = {
  usage: [
    "deploy systemd [--out DIR] [--config F]     write realm-node@.service, a target, env file and per-host lists",
    "deploy kubernetes [--out DIR] [--config F] [--image I]  write StatefulSets, Services, volumes, ConfigMap",
  ],
  async run(argv) {
    const { values, positionals } = options(argv, { out: { type: "string" }, image: { type: "string" } });
    const [target, ...extra] = positionals;
    if (target === undefined) throw new UsageError(`which engine? ${Object.keys(TARGETS).join(" or ")}`);
    const render = TARGETS[target];
    if (!render) throw new UsageError(`unknown deploy target "${target}": use ${Object.keys(TARGETS).join(" or ")}`);
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
    if (values.out === "") throw new UsageError("--out needs a folder");
    if (values.image !== undefined && target !== "kubernetes") throw new UsageError("--image is for kubernetes only");
    const config = configFrom(values);
    const out = path.resolve(values.out ?? path.join("deploy", target));
    const files = render(config, { image: values.image ?? DEFAULT_IMAGE });
    for (const [name, text] of files) {
      const file = path.join(out, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    console.log(`${out}: ${[...files.keys()].join(", ")}`);
    return 0;
  },
};
