// A whole realm for one test: `realm start` as a real process on free ports with its own data
// folder, embedded PostgreSQL included. Teardown stops it, kills anything left, removes the folder.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, RealmProcess, REPO } from "../../ops/realm-process.ts";
import { writeTestConfig } from "./test-config.ts";

export { CLI, REPO, until } from "../../ops/realm-process.ts";

export interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
  /** tap's: false once an assertion of the test failed. */
  passing?(): boolean;
}

/** A temp folder that the postgres user can reach (embedded PostgreSQL runs as it). */
export function tempDir(t: Teardown, prefix = "realm-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI to completion: for the commands that return (status, check-config, stop). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI without blocking this process (for the long commands: bots, chaos); `live` fills as
 * it runs. `guardMs` only keeps a broken run from outliving the test; teardown kills it too.
 */
export function spawnCli(t: Teardown, args: string[], guardMs: number): { done: Promise<CliRun>; live: CliRun } {
  const live: CliRun = { code: null, stdout: "", stderr: "" };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (live.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (live.stderr += d.toString()));
  const guard = setTimeout(() => child.kill("SIGKILL"), guardMs);
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const done = new Promise<CliRun>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard);
      live.code = code;
      resolve(live);
    }),
  );
  return { done, live };
}

/** A realm of the test's own: free ports, its own data folder, stopped and removed at teardown. */
export class TestRealm extends RealmProcess {
  private constructor(
    readonly dir: string,
    spawned: ReturnType<typeof RealmProcess.spawnRealm>,
    configFile: string,
  ) {
    super(configFile, spawned.config, spawned.child, spawned.wire, spawned.startedAt);
  }

  static async start(t: Teardown, opts: { edit?: (doc: any) => void } = {}): Promise<TestRealm> {
    const dir = tempDir(t);
    const configFile = await writeTestConfig(dir, opts);
    // every node of a test realm takes the test-only signals of common/node.ts (SIGUSR2: spin forever)
    const realm = new TestRealm(dir, RealmProcess.spawnRealm(configFile, { REALM_TEST_HOOKS: "1" }), configFile);
    t.teardown(async () => {
      await realm.stop();
      if (t.passing?.() === false) printNodeLogs(realm.dataDir);
    });
    return realm;
  }
}

/** A failed test's realm is removed with its logs: on CI, what the nodes said is printed or lost. */
function printNodeLogs(dataDir: string): void {
  const dir = path.join(dataDir, "logs");
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".log"));
  } catch {
    return;
  }
  for (const f of files.sort()) {
    const lines = readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean);
    const warnings = lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(-20);
    const last = lines.slice(-20).filter((l) => !warnings.includes(l));
    process.stderr.write(`--- ${f}: ${lines.length} lines; its last warnings and errors, then its last events\n${[...warnings, "...", ...last].join("\n")}\n`);
  }
}
