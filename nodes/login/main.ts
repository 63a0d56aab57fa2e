import { AccountStore } from "../../common/accounts/accounts.ts";
import { closeHttp, listenHttp } from "../../common/http.ts";
import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import { createPool, databaseUrl, migrate } from "../../common/postgres/connect.ts";
import type { LoginNodeSpec } from "../../common/topology.ts";
import { LoginAudit } from "./audit.ts";
import { FailureCounters } from "./brute-force.ts";
import { FrontDoor } from "./front-door.ts";
import { loginRoutes } from "./login-http.ts";
import { registerLoginMetrics } from "./login-metrics.ts";
import { LoginQueue } from "./login-queue.ts";
import { PlayPage } from "./play-page.ts";
import { RealmLink } from "./realm-link.ts";
import { SessionIssuer } from "./sessions.ts";

// The front door: accounts, sessions, limits and the queue live in PostgreSQL, so two (or more)
// login nodes serve any player alike.
await runNode<LoginNodeSpec>(["login"], loadConfig, async (rt, spec) => {
  const { config } = rt.opts;
  const url = databaseUrl();
  // a login holds a connection while its realm node places it: enough for bursts, few for PostgreSQL
  const pool = createPool(url, 12);
  await migrate(pool);
  const realms = new RealmLink(rt.wire, config.realms);
  const counters = new FailureCounters(pool);
  const sessions = new SessionIssuer(pool, realms, spec.id, rt.log);
  const queue = new LoginQueue(pool);
  const audit = await LoginAudit.start(url, pool, spec.id, rt.log, async () => ({
    ticketsAbandoned: await queue.tidy(),
    countersForgotten: await counters.forgetOld(),
    sessionsForgotten: await sessions.forgetOld(),
  }));
  const door = new FrontDoor({ config, loginNode: spec.id, accounts: new AccountStore(pool), counters, sessions, queue, realms, audit, log: rt.log });
  // the browser game at /play, bundled once per node at start
  const play = PlayPage.start(rt.log);
  const server = await listenHttp(spec.http, loginRoutes(door, spec.id, rt.log, play), spec.tls);
  // a login request is a few hundred bytes: one that takes longer than this is holding a socket on purpose
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  rt.addVitals(() => ({ ...door.counts, ...door.hashing, audited: audit.written }));
  registerLoginMetrics(rt.metrics.registry, config, audit, queue, rt.log);
  rt.onStop(async () => {
    await closeHttp(server);
    await audit.stop();
    await pool.end();
  });
});
