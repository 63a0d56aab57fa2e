// The login node's own series: outcomes by result (what the audit records) and the queue
// length of each realm. Both are read at scrape time, so a login never waits on them.
import { Counter, Gauge, type Registry } from "prom-client";
import { errorFields, type Log } from "../../common/log.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import type { LoginAudit } from "./audit.ts";
import type { LoginQueue } from "./login-queue.ts";

export function registerLoginMetrics(registry: Registry, config: RealmsConfig, audit: LoginAudit, queue: LoginQueue, log: Log): void {
  new Counter({
    name: "realm_login_outcomes_total",
    help: "login attempts, registrations and logouts by result, since the node started",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [result, n] of audit.outcomes) this.inc({ result }, n);
    },
  });
  new Gauge({
    name: "realm_login_queue_length",
    help: "players waiting in the login queue of each realm (the queue lives in PostgreSQL: every login node sees the same)",
    // its own `realm` label wins over the node's (empty: a login node serves every realm)
    labelNames: ["realm"],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const r of config.realms) this.set({ realm: r.name }, await queue.ahead(r.name));
      } catch (err) {
        // a scrape while PostgreSQL is away leaves the series out rather than failing every other one
        log.warn("queue-length-unread", errorFields(err));
      }
    },
  });
}
