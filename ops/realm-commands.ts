// The commands that run and inspect a whole realm: start, status, stop, check-config.
import { isAlive } from "../common/launch.ts";
import { createLog } from "../common/log.ts";
import { loadConfig } from "../config/load.ts";
import { allNodes } from "../common/topology.ts";
import { configFrom, dataDirOf, DEFAULT_CONFIG, options, type Command } from "./command.ts";
import { runningPid, startRealm } from "./start.ts";
import { opsWire, queryStatus, statusJson, statusTable, stopRealm } from "./status.ts";

export const start: Command = {
  usage: ["start [--config F] [--data DIR]     start the realm in the foreground (Ctrl-C stops it)"],
  async run(argv) {
    const { values } = options(argv);
    const config = configFrom(values);
    return startRealm(config, dataDirOf(config, values.data), createLog("realm-start"));
  },
};

export const status: Command = {
  usage: ["status [--json] [--config F]        every node's state, pid, restarts and vital signs"],
  async run(argv) {
    const { values } = options(argv, { json: { type: "boolean" } });
    const config = configFrom(values);
    const wire = opsWire(config);
    try {
      const reply = await queryStatus(config, wire);
      if (!reply) throw new Error(`no reviver answered (${config.revivers.map((r) => r.inbox).join(", ")}): is the realm running? (realm start)`);
      console.log(values.json ? JSON.stringify(statusJson(reply)) : statusTable(reply));
      return 0;
    } finally {
      await wire.close();
    }
  },
};

export const stop: Command = {
  usage: ["stop [--config F] [--data DIR]      stop a running realm"],
  async run(argv) {
    const { values } = options(argv);
    const config = configFrom(values);
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
  },
};

export const checkConfig: Command = {
  usage: ["check-config [F]                    validate a realms.yaml"],
  async run(argv) {
    const { positionals, values } = options(argv);
    const file = positionals[0] ?? values.config ?? DEFAULT_CONFIG;
    const config = loadConfig(file);
    const realms = config.realms.length;
    console.log(`${file}: ok (${allNodes(config).length} nodes, ${realms} realm${realms === 1 ? "" : "s"})`);
    return 0;
  },
};
