// Restarts of this run, kept in PostgreSQL so that a reviver taking over knows the counts, causes
// and recovery times its predecessor saw.
import type pg from "pg";
import type { Log } from "../../common/log.ts";
import type { RestartRecord } from "./supervisor.ts";

export class RestartLog {
  /** Writes go one after another: a recovery time must never reach PostgreSQL before its restart row. */
  private writes: Promise<void> = Promise.resolve();

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
    this.write(
      r,
      "INSERT INTO reviver_restarts (run_id, node_id, at, cause, procedure, reviver) VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5, $6)",
      [this.runId, r.nodeId, r.at, r.cause, r.procedure, this.reviver],
    );
  }

  /** Stores `r.recoveredMs` on the node's latest restart, which `r` is. */
  recovered(r: RestartRecord): void {
    this.write(
      r,
      `UPDATE reviver_restarts SET recovered_ms = $3
        WHERE id = (SELECT max(id) FROM reviver_restarts WHERE run_id = $1 AND node_id = $2)`,
      [this.runId, r.nodeId, r.recoveredMs],
    );
  }

  async load(): Promise<RestartRecord[]> {
    await this.writes;
    const { rows } = await this.pool.query<{ node_id: string; at_ms: string; cause: string; procedure: string; recovered_ms: number | null }>(
      `SELECT node_id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, cause, procedure, recovered_ms
         FROM reviver_restarts WHERE run_id = $1 ORDER BY id`,
      [this.runId],
    );
    return rows.map((r) => {
      const record: RestartRecord = { nodeId: r.node_id, at: Number(r.at_ms), cause: r.cause, procedure: r.procedure };
      if (r.recovered_ms !== null) record.recoveredMs = r.recovered_ms;
      return record;
    });
  }

  private write(r: RestartRecord, sql: string, params: unknown[]): void {
    this.writes = this.writes
      .then(() => this.pool.query(sql, params))
      .then(
        () => {},
        (err: Error) => this.log.warn("restart-not-recorded", { id: r.nodeId, error: err.message }),
      );
  }
}
