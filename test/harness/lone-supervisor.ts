// A Supervisor alone in the test process, leading a realm's reviver and its first zone, whose
// `restart:` command starts nothing: the zone is whatever heartbeats the test feeds it.
import { createLog } from "../../common/log.ts";
import type { ZoneSpec } from "../../common/topology.ts";
import { loadConfig } from "../../config/load.ts";
import { Supervisor, type SupervisorOptions } from "../../nodes/reviver/supervisor.ts";
import { tempDir, type Teardown } from "./realm.ts";
import { writeTestConfig } from "./test-config.ts";

export async function loneSupervisor(
  t: Teardown,
  restart: string,
  opts: Partial<SupervisorOptions> = {},
): Promise<{ supervisor: Supervisor; zone: ZoneSpec }> {
  const dir = tempDir(t);
  const config = loadConfig(await writeTestConfig(dir, { edit: (doc) => (doc.realms[0].zones[0].restart = restart) }));
  const reviver = config.revivers[0]!;
  const zone = config.realms[0]!.zones[0]!;
  const supervisor = new Supervisor({
    self: reviver.id,
    nodes: [reviver, zone],
    launch: { configFile: config.file, dataDir: config.dataDir, env: process.env },
    log: createLog(reviver.id, "error"),
    record: () => {},
    recovered: () => {},
    notify: () => {},
    askToStop: () => {},
    ...opts,
  });
  t.teardown(() => supervisor.close());
  return { supervisor, zone };
}
