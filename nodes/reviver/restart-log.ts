// Restarts of this run, kept in PostgreSQL so that a reviver taking over knows the counts and
// causes its predecessor saw.
import type pg from "pg";
import type { Log } from "../../common/log.ts";
import type { RestartRecord } from "./supervisor.ts";

export class RestartLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly runId: string,
    private readonly reviver: string,
    private readonly log: Log,
  ) {}

  async open(configFile: string): Promise<void> {
    await this.pool.query("INSERT INTO reviver_runs (run_id, config_file) VALUES ($1, $2) ON CONFLICT DO NOTHING", [this.runId, configFile]);
  }

  record(r: RestartRecord): void {
    this.pool
      .query("INSERT INTO reviver_restarts (run_id, node_id, at, cause, procedure, reviver) VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5, $6)", [
        this.runId,
        r.nodeId,
        r.at,
        r.cause,
        r.procedure,
        this.reviver,
      ])
      .catch((err: Error) => this.log.warn("restart-not-recorded", { id: r.nodeId, error: err.message }));
  }

  async load(): Promise<RestartRecord[]> {
    const { rows } = await this.pool.query<{ node_id: string; at_ms: string; cause: string; procedure: string }>(
      "SELECT node_id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, cause, procedure FROM reviver_restarts WHERE run_id = $1 ORDER BY id",
      [this.runId],
    );
    return rows.map((r) => ({ nodeId: r.node_id, at: Number(r.at_ms), cause: r.cause, procedure: r.procedure }));
  }
}
