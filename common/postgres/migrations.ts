// The realm's PostgreSQL schema, as an ordered list of migrations. A migration is never edited
// once shipped: change the schema by appending one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "reviver runs and restarts",
    sql: `
      CREATE TABLE reviver_runs (
        run_id      text PRIMARY KEY,
        config_file text NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE reviver_restarts (
        id        bigserial PRIMARY KEY,
        run_id    text NOT NULL,
        node_id   text NOT NULL,
        at        timestamptz NOT NULL DEFAULT now(),
        cause     text NOT NULL,
        procedure text NOT NULL,
        reviver   text NOT NULL
      );
      CREATE INDEX reviver_restarts_run_node ON reviver_restarts (run_id, node_id);`,
  },
];
