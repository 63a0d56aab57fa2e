// `realm keys`: the node mesh's CURVE key pairs, one per node id plus the operator's (the CLI and
// other tools), made where realms.yaml's `mesh.keys` says. Existing pairs are kept, so it is safe
// to run again after adding nodes; it prints every public key.
import path from "node:path";
import { UsageError } from "../common/errors.ts";
import { ensureKeys, keyFile, OPERATOR, readPublicKeys } from "../common/mesh/mesh-keys.ts";
import { allNodes } from "../common/topology.ts";
import { configFrom, options, type Command } from "./command.ts";

export const keys: Command = {
  usage: ["keys [--config F] [--out DIR]        make the mesh's missing CURVE key pairs (one per node id and the operator's), print the public keys"],
  async run(argv) {
    const { values, positionals } = options(argv, { out: { type: "string" } });
    if (positionals.length > 0) throw new UsageError(`keys takes no arguments, not ${positionals.join(" ")}`);
    const config = configFrom(values);
    const dir = values.out !== undefined ? path.resolve(values.out) : config.mesh?.keys;
    if (dir === undefined) throw new Error(`${config.file} has no mesh: add \`mesh: { curve: true }\` to secure the nodes with CURVE, or give --out DIR`);
    const ids = [...allNodes(config).map((n) => n.id), OPERATOR];
    const made = new Set(ensureKeys(dir, ids));
    const publicKeys = readPublicKeys(dir);
    const width = Math.max(...ids.map((id) => id.length));
    for (const id of ids) console.log(`${id.padEnd(width)}  ${publicKeys.get(id) ?? "?"}  ${made.has(id) ? "new" : "kept"}`);
    console.log(`${made.size} new, ${ids.length - made.size} kept, in ${dir}`);
    console.log(`every host needs every .pub; a host needs the .key (mode 0600) of its own nodes only, and ${path.basename(keyFile(dir, OPERATOR, "key"))} where the CLI runs`);
    return 0;
  },
};
