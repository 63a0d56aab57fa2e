import { runNode } from "../../common/main.ts";
import { Op } from "../../common/opcodes.ts";
import { createPool, databaseUrl, migrate } from "../../common/postgres/connect.ts";
import { allNodes, type ReviverSpec } from "../../config/model.ts";
import { Leadership } from "./leadership.ts";
import { RestartLog } from "./restart-log.ts";
import { Supervisor } from "./supervisor.ts";

await runNode<ReviverSpec>(["reviver"], async (rt, spec) => {
  const { config, dataRoot } = rt.opts;
  const url = databaseUrl();
  const pool = createPool(url, 2);
  await migrate(pool);
  const restarts = new RestartLog(pool, process.env.REALM_RUN_ID ?? "standalone", spec.id, rt.log);
  await restarts.open(config.file);
  const supervisor = new Supervisor({
    self: spec.id,
    nodes: allNodes(config),
    launch: { configFile: config.file, dataDir: dataRoot, env: process.env },
    log: rt.log,
    record: (r) => restarts.record(r),
    askToStop: (id) => rt.wire.send(id, Op.SHUTDOWN, { reason: `realm stopping (${spec.id})` }),
  });
  const leadership = new Leadership(url, rt.log, (leader) => {
    if (!leader) return supervisor.follow();
    void restarts
      .load()
      .then((records) => {
        supervisor.restore(records);
        return supervisor.lead();
      })
      .catch((err: Error) => rt.log.error("lead-failed", { error: err.message }));
  });

  rt.on(Op.HEARTBEAT, (hb) => supervisor.heard(hb));
  rt.on(Op.STATUS_REQUEST, (req, from) =>
    rt.wire.reply(from, Op.STATUS_REPLY, { corr: req.corr, reviver: spec.id, leader: supervisor.isLeading, nodes: supervisor.status() }),
  );
  rt.on(Op.STOP_REALM, (req, from) => {
    rt.log.info("realm-stop-requested", { from, reason: req.reason, leader: supervisor.isLeading });
    if (!supervisor.isLeading) {
      // never take over a realm that is being stopped; the leader stops us last
      supervisor.close();
      void leadership.close();
      return;
    }
    void supervisor.stopAll().then(() => rt.stop(`realm stopped: ${req.reason}`));
  });
  rt.addVitals(() => ({ leader: supervisor.isLeading ? 1 : 0 }));
  rt.onStop(async () => {
    supervisor.close();
    await leadership.close();
    await pool.end();
  });
  leadership.start();
});
