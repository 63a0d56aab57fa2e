// A realms.yaml for one test: the shipped (or given) topology on free ports, with its own data folder.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { freePorts } from "./free-ports.ts";

export const SHIPPED_CONFIG = fileURLToPath(new URL("../../realms.yaml", import.meta.url));

const ADDRESS_KEYS = new Set(["inbox", "pub", "http", "ws"]);
/** `tcp://host:port` or `host:port`; group 1 is all but the port. */
const ADDRESS = /^((?:tcp:\/\/)?(?:\[[^\]]*\]|[^\s:/]+)):(\d+)$/;

/**
 * Gives every address (inbox, pub, http, ws) in a parsed config its own free port, in place,
 * even where the source repeats one; returns the ports in the order they were assigned.
 */
export async function remapPorts(doc: unknown): Promise<number[]> {
  const slots: { owner: Record<string, unknown>; key: string; prefix: string }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") {
      const owner = value as Record<string, unknown>;
      for (const [key, v] of Object.entries(owner)) {
        const m = ADDRESS_KEYS.has(key) && typeof v === "string" ? ADDRESS.exec(v) : null;
        if (m) slots.push({ owner, key, prefix: m[1] ?? "" });
        else walk(v);
      }
    }
  };
  walk(doc);
  const ports = await freePorts(slots.length);
  slots.forEach((s, i) => (s.owner[s.key] = `${s.prefix}:${ports[i]}`));
  return ports;
}

/**
 * Writes `<dir>/realms.yaml` from `from` (default: the shipped realms.yaml) with free ports and
 * `data_dir: <dir>/var`; `edit` runs last on the plain object, so it may also break the file on purpose.
 */
export async function writeTestConfig(dir: string, opts: { from?: string; edit?: (doc: any) => void } = {}): Promise<string> {
  const doc: unknown = parse(await readFile(opts.from ?? SHIPPED_CONFIG, "utf8"));
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${opts.from ?? SHIPPED_CONFIG} is not a YAML map`);
  await remapPorts(doc);
  (doc as Record<string, unknown>).data_dir = join(dir, "var");
  opts.edit?.(doc);
  await mkdir(dir, { recursive: true });
  const file = join(dir, "realms.yaml");
  await writeFile(file, stringify(doc));
  return file;
}
