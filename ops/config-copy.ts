// A copy of a realms.yaml for a test, a benchmark or a chaos run: the shipped (or given) topology
// on free ports, with its own data folder, so it runs beside anything else on the machine.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { ConfigError } from "../common/errors.ts";
import { ensureRealmKeys } from "../common/mesh/realm-mesh.ts";
import { loadConfig } from "../config/load.ts";
import { remapPorts } from "./free-ports.ts";

export const SHIPPED_CONFIG = fileURLToPath(new URL("../realms.yaml", import.meta.url));

/**
 * Writes `<dir>/realms.yaml` from `from` (default: the shipped realms.yaml) with free ports and
 * `data_dir: <dir>/var`; `edit` runs last on the plain object, so it may also break the file on purpose.
 * The mesh's keys (when it has one) are made under the copy's data dir unless the copy names a folder of its own.
 */
export async function writeConfigCopy(dir: string, opts: { from?: string; edit?: (doc: any) => void } = {}): Promise<string> {
  const doc: unknown = parse(await readFile(opts.from ?? SHIPPED_CONFIG, "utf8"));
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${opts.from ?? SHIPPED_CONFIG} is not a YAML map`);
  await remapPorts(doc);
  (doc as Record<string, unknown>).data_dir = join(dir, "var");
  opts.edit?.(doc);
  await mkdir(dir, { recursive: true });
  const file = join(dir, "realms.yaml");
  await writeFile(file, stringify(doc));
  try {
    ensureRealmKeys(loadConfig(file));
  } catch (err) {
    // a file broken on purpose has no nodes to make keys for
    if (!(err instanceof ConfigError)) throw err;
  }
  return file;
}
