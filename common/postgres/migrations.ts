// The realm's PostgreSQL schema, as an ordered list of migrations. A migration is never edited
// once shipped: change the schema by appending one.
interface Migration {
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
  {
    version: 2,
    name: "accounts and bans",
    sql: `
      CREATE TABLE accounts (
        id            bigserial PRIMARY KEY,
        name          text NOT NULL,
        name_key      text NOT NULL UNIQUE,
        password_hash bytea NOT NULL,
        password_salt bytea NOT NULL,
        scrypt_n      integer NOT NULL,
        scrypt_r      integer NOT NULL,
        scrypt_p      integer NOT NULL,
        created_by    text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        password_changed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE account_bans (
        id         bigserial PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES accounts (id),
        reason     text NOT NULL,
        banned_at  timestamptz NOT NULL DEFAULT now(),
        lifted_at  timestamptz
      );
      CREATE UNIQUE INDEX account_bans_active ON account_bans (account_id) WHERE lifted_at IS NULL;`,
  },
  {
    version: 3,
    name: "sessions",
    sql: `
      CREATE TABLE sessions (
        id          bigserial PRIMARY KEY,
        handle_hash bytea NOT NULL UNIQUE,
        account_id  bigint NOT NULL REFERENCES accounts (id),
        realm       text NOT NULL,
        client_node text,
        login_node  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        ended_at    timestamptz,
        end_reason  text
      );
      CREATE UNIQUE INDEX sessions_one_live_per_account ON sessions (account_id) WHERE ended_at IS NULL;`,
  },
  {
    version: 4,
    name: "failed-login counters",
    sql: `
      CREATE TABLE login_failures (
        scope        text NOT NULL,
        key          text NOT NULL,
        window_start timestamptz NOT NULL,
        failures     integer NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (scope, key)
      );`,
  },
  {
    version: 5,
    name: "login queue",
    sql: `
      CREATE TABLE login_queue (
        id           bigserial PRIMARY KEY,
        ticket_hash  bytea NOT NULL UNIQUE,
        account_id   bigint NOT NULL REFERENCES accounts (id),
        realm        text NOT NULL,
        state        text NOT NULL DEFAULT 'waiting',
        enqueued_at  timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        admitted_at  timestamptz
      );
      CREATE INDEX login_queue_waiting ON login_queue (realm, id) WHERE state = 'waiting';
      CREATE UNIQUE INDEX login_queue_one_ticket ON login_queue (account_id, realm) WHERE state = 'waiting';
      CREATE INDEX login_queue_admitted ON login_queue (realm, admitted_at) WHERE state = 'admitted';`,
  },
  {
    version: 6,
    name: "login audit",
    sql: `
      CREATE TABLE login_audit (
        id         bigserial PRIMARY KEY,
        at         timestamptz NOT NULL,
        login_node text NOT NULL,
        ip         text NOT NULL,
        username   text NOT NULL,
        account_id bigint,
        realm      text,
        outcome    text NOT NULL
      );
      CREATE INDEX login_audit_at ON login_audit (at);
      CREATE INDEX login_audit_account ON login_audit (account_id, at);`,
  },
  {
    version: 10,
    name: "economy audit (database node -> pg-boss -> backup node)",
    sql: `
      CREATE TABLE audit_events (
        event_id     text PRIMARY KEY,
        realm        text NOT NULL,
        kind         text NOT NULL,
        op_id        text NOT NULL,
        seq          bigint NOT NULL,
        generation   text NOT NULL,
        at           timestamptz NOT NULL,
        character_id text,
        counterparty text,
        gold         bigint NOT NULL,
        items        text[] NOT NULL,
        detail       text,
        recorded_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_events_realm_at ON audit_events (realm, at);
      CREATE INDEX audit_events_character ON audit_events (character_id, at);
      -- append-only: what happened in the economy is never rewritten
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();`,
  },
  {
    version: 11,
    name: "backup snapshots",
    sql: `
      CREATE TABLE backup_snapshots (
        id          bigserial PRIMARY KEY,
        realm       text NOT NULL,
        node_id     text NOT NULL,
        trigger     text NOT NULL,
        state       text NOT NULL,
        job_id      text,
        file        text,
        started_at  timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        seq         bigint,
        generation  text,
        bytes       bigint,
        sha256      text,
        counts      jsonb,
        took_ms     integer,
        verified_at timestamptz,
        error       text
      );
      CREATE INDEX backup_snapshots_realm ON backup_snapshots (realm, id);`,
  },
  {
    version: 12,
    name: "reviver restarts: time to recovery",
    sql: `
      -- from the node found down to its first heartbeat after the restart; NULL until then, or if it never came back
      ALTER TABLE reviver_restarts ADD COLUMN recovered_ms integer;`,
  },
  {
    version: 13,
    name: "operator console: tokens and audit",
    sql: `
      -- only a SHA-256 of each token is kept: a 32-byte random token cannot be guessed, so a slow hash adds nothing
      CREATE TABLE console_tokens (
        id         bigserial PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE UNIQUE INDEX console_tokens_one_active ON console_tokens ((true)) WHERE revoked_at IS NULL;
      CREATE TABLE console_audit (
        id       bigserial PRIMARY KEY,
        at       timestamptz NOT NULL DEFAULT now(),
        token_id bigint REFERENCES console_tokens (id),
        ip       text NOT NULL,
        reviver  text NOT NULL,
        action   text NOT NULL,
        target   jsonb NOT NULL,
        ok       boolean NOT NULL,
        result   text NOT NULL
      );
      CREATE INDEX console_audit_at ON console_audit (at);`,
  },
];
