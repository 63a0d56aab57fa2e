// `realm`: the operator's command line. Every failure is one clear line and a non-zero exit.
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, UsageError } from "../common/errors.ts";
import { isAlive } from "../common/launch.ts";
import { createLog } from "../common/log.ts";
import { loadConfig } from "../config/load.ts";
import { allNodes, type RealmsConfig } from "../config/model.ts";
import { runningPid, startRealm } from "./start.ts";
import { opsWire, queryStatus, statusJson, statusTable, stopRealm } from "./status.ts";

const USAGE = `usage: realm <command> [options]
  start [--config F] [--data DIR]     start the realm in the foreground (Ctrl-C stops it)
  status [--json] [--config F]        every node's state, pid, restarts and vital signs
  stop [--config F] [--data DIR]      stop a running realm
  check-config [F]                    validate a realms.yaml`;

const DEFAULT_CONFIG = "realms.yaml";

const COMMON = { config: { type: "string" }, data: { type: "string" } } as const;

function options<E extends Record<string, { type: "string" | "boolean" }>>(argv: string[], extra?: E) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...(extra as E) }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
}

function dataDirOf(config: RealmsConfig, flag: string | undefined): string {
  return path.resolve(flag ?? config.dataDir);
}

async function status(argv: string[]): Promise<number> {
  const { values } = options(argv, { json: { type: "boolean" } });
  const config = loadConfig(values.config ?? DEFAULT_CONFIG);
  const wire = opsWire(config);
  try {
    const reply = await queryStatus(config, wire);
    if (!reply) throw new Error(`no reviver answered (${config.revivers.map((r) => r.inbox).join(", ")}): is the realm running? (realm start)`);
    console.log(values.json ? JSON.stringify(statusJson(reply)) : statusTable(reply));
    return 0;
  } finally {
    await wire.close();
  }
}

async function stop(argv: string[]): Promise<number> {
  const { values } = options(argv);
  const config = loadConfig(values.config ?? DEFAULT_CONFIG);
  const pid = runningPid(dataDirOf(config, values.data));
  if (pid !== undefined) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 40_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) throw new Error(`realm start (pid ${pid}) did not stop within 40 s`);
    console.log("realm stopped");
    return 0;
  }
  // no `realm start` in charge (it was killed): ask the revivers directly
  const wire = opsWire(config);
  try {
    if (!(await queryStatus(config, wire))) throw new Error("no realm is running from this config");
    stopRealm(config, wire, "realm stop");
    console.log("stop requested from the revivers");
    return 0;
  } finally {
    await wire.close();
  }
}

function checkConfig(argv: string[]): number {
  const { positionals, values } = options(argv);
  const file = positionals[0] ?? values.config ?? DEFAULT_CONFIG;
  const config = loadConfig(file);
  console.log(`${file}: ok (${allNodes(config).length} nodes, ${config.realms.length} realm${config.realms.length === 1 ? "" : "s"})`);
  return 0;
}

async function start(argv: string[]): Promise<number> {
  const { values } = options(argv);
  const config = loadConfig(values.config ?? DEFAULT_CONFIG);
  return startRealm(config, dataDirOf(config, values.data), createLog("realm-start"));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "start":
        return await start(rest);
      case "status":
        return await status(rest);
      case "stop":
        return await stop(rest);
      case "check-config":
        return checkConfig(rest);
      case undefined:
      case "help":
      case "--help":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    console.error(`realm ${command}: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}
