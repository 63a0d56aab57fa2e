// What a `realm` subcommand is, and the option parsing they share. Each command lives in its
// own module and is listed once in ops/cli.ts.
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../common/errors.ts";
import { loadConfig } from "../config/load.ts";
import type { RealmsConfig } from "../common/topology.ts";

export interface Command {
  /** One usage line per form, shown by `realm help` and on a usage mistake. */
  usage: string[];
  run(argv: string[]): Promise<number>;
}

export const DEFAULT_CONFIG = "realms.yaml";
const COMMON = { config: { type: "string" }, data: { type: "string" } } as const;

export function options<E extends Record<string, { type: "string" | "boolean" }>>(argv: string[], extra?: E) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...(extra as E) }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function configFrom(values: { config?: string | undefined }): RealmsConfig {
  return loadConfig(values.config ?? DEFAULT_CONFIG);
}

export function dataDirOf(config: RealmsConfig, flag: string | undefined): string {
  return path.resolve(flag ?? config.dataDir);
}
