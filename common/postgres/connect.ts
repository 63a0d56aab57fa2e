// PostgreSQL access shared by the nodes that use it (login, reviver, backup audit).
import pg from "pg";
import { MIGRATIONS } from "./migrations.ts";

/** Serialises migrations between processes that start at the same moment (two login nodes). */
const MIGRATION_LOCK = 0x7265616c6d01n;

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start the realm with `realm start` (embedded PostgreSQL) or set DATABASE_URL");
  return url;
}

export function createPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // an idle client losing its server must not crash the node; the next query reports it
  pool.on("error", () => {});
  return pool;
}

/** pg's words (they carry no code) for a database that did not give a connection in time. */
const CONNECT_TIMEOUTS = new Set([
  // pg-pool: every pooled connection stayed busy for connectionTimeoutMillis
  "timeout exceeded when trying to connect",
  // pg: a new connection was not set up within it
  "Connection terminated due to connection timeout",
]);

/** The database did not give a connection in time: an overloaded server, not a broken request. */
export function isPoolTimeout(err: unknown): boolean {
  return err instanceof Error && CONNECT_TIMEOUTS.has(err.message);
}

export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied++;
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
