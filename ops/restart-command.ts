// `realm restart`: the leading reviver warns the realm's players, saves them, stops the realm's
// nodes in order and starts them again (nodes/reviver/restart-cycle.ts).
import { UsageError } from "../common/errors.ts";
import { Op } from "../common/opcodes.ts";
import { durationMs } from "../config/load.ts";
import { configFrom, options, type Command } from "./command.ts";
import { opsWire, queryStatus } from "./status.ts";

export const restart: Command = {
  usage: ["restart [--realm NAME] --in 5m [--cancel] [--config F]   restart a realm's nodes, players warned ahead"],
  async run(argv) {
    const { values, positionals } = options(argv, { realm: { type: "string" }, in: { type: "string" }, cancel: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const config = configFrom(values);
    const realm = values.realm ?? config.realms[0]?.name;
    if (!realm || !config.realms.some((r) => r.name === realm)) {
      throw new UsageError(`no realm "${realm}" in ${config.file} (there are: ${config.realms.map((r) => r.name).join(", ")})`);
    }
    const inMs = values.cancel ? 0 : values.in === undefined ? undefined : durationMs(values.in);
    if (inMs === undefined) throw new UsageError(values.in === undefined ? "--in is required (e.g. --in 5m, or --in 0s for now)" : `--in: expected a duration such as 30s, 5m or 1h, got "${values.in}"`);
    const wire = opsWire(config);
    try {
      const status = await queryStatus(config, wire);
      if (!status?.leader) throw new Error("no leading reviver answers: is the realm running?");
      const body = await wire.request(status.reviver, Op.REALM_RESTART, { realm, inMs, cancel: values.cancel ?? false }, 5000);
      if (!body.ok) throw new Error(body.error ?? "the reviver refused");
      console.log(values.cancel ? `restart of ${realm} cancelled` : `restart of ${realm} at ${new Date(body.at ?? Date.now()).toISOString()}; players are being warned`);
      return 0;
    } finally {
      await wire.close();
    }
  },
};
