import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import { Op } from "../../common/opcodes.ts";
import { createPool, databaseUrl, migrate } from "../../common/postgres/connect.ts";
import { allNodes, type ReviverSpec } from "../../common/topology.ts";
import { openConsole } from "./console/backend.ts";
import { Leadership } from "./leadership.ts";
import { followerMetricsPage, realmMetricsPage } from "./realm-metrics.ts";
import { RestartCycles } from "./restart-cycle.ts";
import { RestartLog } from "./restart-log.ts";
import { Supervisor } from "./supervisor.ts";

await runNode<ReviverSpec>(["reviver"], loadConfig, async (rt, spec) => {
  const { config, dataRoot } = rt.opts;
  const url = databaseUrl();
  // restart records, and the console's token checks and audit
  const pool = createPool(url, 4);
  await migrate(pool);
  const restarts = new RestartLog(pool, process.env.REALM_RUN_ID ?? "standalone", spec.id, rt.log);
  await restarts.open(config.file);
  const supervisor = new Supervisor({
    self: spec.id,
    nodes: allNodes(config),
    launch: { configFile: config.file, dataDir: dataRoot, env: process.env },
    log: rt.log,
    record: (r) => restarts.record(r),
    recovered: (r) => restarts.recovered(r),
    notify: (to, op, body) => rt.wire.send(to, op, body),
    askToStop: (id) => rt.wire.send(id, Op.SHUTDOWN, { reason: `realm stopping (${spec.id})` }),
  });
  const clientNodes = config.clientNodes.map((c) => c.id);
  const notice = (realm: string, kind: number, seconds: number, text: string): void => {
    for (const id of clientNodes) rt.wire.send(id, Op.PLAYER_NOTICE, { realm, kind, seconds, text });
  };
  const cycles = new RestartCycles({
    config,
    log: rt.log,
    notice,
    closePlayers: async (realm, reason) => {
      const asked = clientNodes.map((id) => rt.wire.request(id, Op.REALM_CLOSE_PLAYERS, { realm, reason }, 5000));
      const answers = await Promise.allSettled(asked);
      return answers.reduce((n, a) => n + (a.status === "fulfilled" ? a.value.closed : 0), 0);
    },
    cycleNodes: (realm, why) => supervisor.cycleRealm(realm, why),
  });
  // the daily restarts are planned by whoever leads when their warning time comes
  const daily = setInterval(() => supervisor.isLeading && cycles.checkDaily(), 10_000);
  const operatorConsole = await openConsole({ spec, config, log: rt.log, pool, supervisor, cycles, wire: rt.wire, notice });
  const leadership = new Leadership(url, rt.log, (leader) => {
    if (!leader) {
      cycles.clear();
      return supervisor.follow();
    }
    operatorConsole?.lead();
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
  rt.on(Op.REALM_RESTART, ({ corr, realm, inMs, cancel }, from) => {
    if (!supervisor.isLeading) return rt.wire.reply(from, Op.REALM_RESTART_REPLY, { corr, ok: false, error: `${spec.id} does not lead; ask the leading reviver` });
    rt.wire.reply(from, Op.REALM_RESTART_REPLY, { corr, ...cycles.ask(realm, inMs, cancel === true, from) });
  });
  rt.addVitals(() => ({ leader: supervisor.isLeading ? 1 : 0 }));
  // the reviver's metrics address serves the realm's aggregate, not this process's own registry
  rt.metrics.page = async () => (supervisor.isLeading ? realmMetricsPage(supervisor.status()) : followerMetricsPage(spec.id, supervisor.status(), config.revivers));
  rt.onStop(async () => {
    clearInterval(daily);
    cycles.clear();
    supervisor.close();
    await operatorConsole?.close();
    await leadership.close();
    await pool.end();
  });
  leadership.start();
});
