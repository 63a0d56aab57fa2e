// `realm console token --reset`: a new operator token for the console (nodes/reviver/console/),
// when the one printed at the first start is lost. The old token stops working at once.
// Also what `realm start` prints of the console: its address, and the token the first time.
import { lastEvent } from "../common/launch.ts";
import { ConsoleTokens } from "../common/operator/console-token.ts";
import { createPool, migrate } from "../common/postgres/connect.ts";
import { UsageError } from "../common/errors.ts";
import type { RealmsConfig } from "../common/topology.ts";
import { configFrom, dataDirOf, options, type Command } from "./command.ts";
import { postgresUrl } from "./embedded-postgres.ts";

/**
 * The console line for `realm start` once a reviver has announced its console since `since`:
 * the token when the reviver made one (the only time it is shown), else where to log in.
 */
export function consoleAnnouncement(config: RealmsConfig, dataDir: string, since: number): string | undefined {
  for (const r of config.revivers) {
    for (const event of ["console-token", "console-serving"]) {
      const line = lastEvent(dataDir, r.id, event);
      if (!line || typeof line.t !== "string" || Date.parse(line.t) < since) continue;
      return typeof line.token === "string"
        ? `operator console: ${line.url} token ${line.token} (shown once; realm console token --reset makes a new one)`
        : `operator console: ${line.url} (log in with the operator token; realm console token --reset if it is lost)`;
    }
  }
  return undefined;
}

export const consoleCommand: Command = {
  usage: ["console token --reset [--config F] [--data DIR]   a new operator token for the web console (the old one stops working)"],
  async run(argv) {
    const { values, positionals } = options(argv, { reset: { type: "boolean" } });
    if (positionals.join(" ") !== "token" || !values.reset) throw new UsageError("realm console token --reset is the one form: it replaces the operator token");
    const config = configFrom(values);
    const pool = createPool(postgresUrl(dataDirOf(config, values.data)), 1);
    try {
      await migrate(pool);
      const { token } = await new ConsoleTokens(pool).reset("cli");
      const at = config.revivers.flatMap((r) => (r.console ? [`http://${r.console.host}:${r.console.port}/`] : []));
      console.log(`new operator token: ${token}`);
      console.log(`log in at ${at.length > 0 ? at.join(" or ") : "(no reviver has a console: address in realms.yaml)"}; the old token no longer works`);
      return 0;
    } finally {
      await pool.end();
    }
  },
};
