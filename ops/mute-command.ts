// `realm mute <character> [--for 10m] [--lift]`: silence a character on every chat channel of the
// realms of the config (common/operator/chat-mute.ts, shared with the operator console).
import { UsageError } from "../common/errors.ts";
import { createLog } from "../common/log.ts";
import { realmWire } from "../common/mesh/realm-mesh.ts";
import { muteCharacter } from "../common/operator/chat-mute.ts";
import { durationMs } from "../config/load.ts";
import { configFrom, options, type Command } from "./command.ts";

const DEFAULT_FOR = "10m";

export const mute: Command = {
  usage: ["mute <character> [--for 10m] [--lift]   silence a character's chat for a while (--lift ends it)"],
  async run(argv) {
    const { values, positionals } = options(argv, { for: { type: "string" }, lift: { type: "boolean" } });
    const [name, ...extra] = positionals;
    if (name === undefined) throw new UsageError("mute needs a character name");
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
    const forMs = values.lift ? 0 : durationMs(values.for ?? DEFAULT_FOR);
    if (forMs === undefined || (!values.lift && forMs <= 0)) throw new UsageError(`--for takes a duration such as 30s, 10m or 1h, not "${values.for}"`);
    const config = configFrom(values);
    const by = `ops-${process.pid}`;
    const wire = realmWire(config, by, createLog("realm-mute", "error"));
    try {
      console.log((await muteCharacter(wire, config, name, forMs, by)).join("\n"));
      return 0;
    } finally {
      await wire.close();
    }
  },
};
