import { runNode } from "../../common/main.ts";
import { Op } from "../../common/opcodes.ts";
import { createPool, databaseUrl, migrate } from "../../common/postgres/connect.ts";
import { allNodes, type ReviverSpec } from "../../config/model.ts";
import { Leadership } from "./leadership.ts";
import { followerMetricsPage, realmMetricsPage } from "./realm-metrics.ts";
import { RestartCycles } from "./restart-cycle.ts";
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
    recovered: (r) => restarts.recovered(r),
    notify: (to, op, body) => rt.wire.send(to, op, body),
    askToStop: (id) => rt.wire.send(id, Op.SHUTDOWN, { reason: `realm stopping (${spec.id})` }),
  });
  const clientNodes = config.clientNodes.map((c) => c.id);
  const cycles = new RestartCycles({
    config,
    log: rt.log,
    notice: (realm, kind, seconds, text) => {
      for (const id of clientNodes) rt.wire.send(id, Op.PLAYER_NOTICE, { realm, kind, seconds, text });
    },
    closePlayers: async (realm, reason) => {
      const asked = clientNodes.map((id) => rt.wire.request(id, Op.REALM_CLOSE_PLAYERS, { realm, reason }, 5000));
      const answers = await Promise.allSettled(asked);
      return answers.reduce((n, a) => n + (a.status === "fulfilled" ? (a.value.body as { closed: number }).closed : 0), 0);
    },
    cycleNodes: (realm, why) => supervisor.cycleRealm(realm, why),
  });
  // the daily restarts are planned by whoever leads when their warning time comes
  const daily = setInterval(() => supervisor.isLeading && cycles.checkDaily(), 10_000);
  const leadership = new Leadership(url, rt.log, (leader) => {
    if (!leader) {
      cycles.clear();
      return supervisor.follow();
    }
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
    const refuse = (error: string) => rt.wire.reply(from, Op.REALM_RESTART_REPLY, { corr, ok: false, error });
    if (!supervisor.isLeading) return refuse(`${spec.id} does not lead; ask the leading reviver`);
    if (!config.realms.some((r) => r.name === realm)) return refuse(`no realm ${realm} in ${config.file}`);
    if (cancel) return cycles.cancel(realm) ? rt.wire.reply(from, Op.REALM_RESTART_REPLY, { corr, ok: true }) : refuse(`no restart of ${realm} is planned`);
    try {
      rt.wire.reply(from, Op.REALM_RESTART_REPLY, { corr, ok: true, at: cycles.schedule(realm, inMs, `asked by ${from}`) });
    } catch (err) {
      refuse((err as Error).message);
    }
  });
  rt.addVitals(() => ({ leader: supervisor.isLeading ? 1 : 0 }));
  // the reviver's metrics address serves the realm's aggregate, not this process's own registry
  rt.metrics.page = async () => (supervisor.isLeading ? realmMetricsPage(supervisor.status()) : followerMetricsPage(spec.id, supervisor.status(), config.revivers));
  rt.onStop(async () => {
    clearInterval(daily);
    cycles.clear();
    supervisor.close();
    await leadership.close();
    await pool.end();
  });
  leadership.start();
});
