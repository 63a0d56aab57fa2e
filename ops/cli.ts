// `realm`: the operator's command line. Every failure is one clear line and a non-zero exit.
import { ConfigError, UsageError } from "../common/errors.ts";
import { account } from "./account-commands.ts";
import { backup } from "./backup-commands.ts";
import { bench } from "./bench/index.ts";
import { bots } from "./bots-command.ts";
import { chaos } from "./chaos/chaos-command.ts";
import type { Command } from "./command.ts";
import { consoleCommand } from "./console-command.ts";
import { deploy } from "./deploy/command.ts";
import { keys } from "./keys-command.ts";
import { mute } from "./mute-command.ts";
import { node } from "./node-command.ts";
import { checkConfig, start, status, stop } from "./realm-commands.ts";
import { restart } from "./restart-command.ts";

const COMMANDS: Record<string, Command> = {
  start,
  status,
  stop,
  restart,
  "check-config": checkConfig,
  bench,
  account,
  backup,
  console: consoleCommand,
  bots,
  chaos,
  node,
  deploy,
  keys,
  mute,
};

const USAGE = ["usage: realm <command> [options]", ...Object.values(COMMANDS).flatMap((c) => c.usage.map((u) => `  ${u}`))].join("\n");

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    console.error(`realm ${name}: ${(err as Error).message}`);
    if (err instanceof UsageError) {
      console.error(USAGE);
      return 2;
    }
    return 1;
  }
}
