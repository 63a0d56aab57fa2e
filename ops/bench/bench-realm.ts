// A whole realm for one benchmark: the shipped realms.yaml on free ports in a temp folder,
// started with `realm start` as a child (embedded PostgreSQL included), stopped and removed after.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../config/load.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import { writeConfigCopy } from "../config-copy.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BenchRealm {
  config: RealmsConfig;
  postgresUrl: string;
  stop(): Promise<void>;
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`benchmark realm: no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the realm; `ready` says when it can be measured (say, every login node lists it as up). */
export async function startBenchRealm(edit: (doc: any) => void, ready: (config: RealmsConfig) => Promise<boolean>): Promise<BenchRealm> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "realm-bench-"));
  // embedded PostgreSQL runs as the postgres user when we are root: it must reach its folder
  chmodSync(dir, 0o755);
  const file = await writeConfigCopy(dir, { edit });
  const config = loadConfig(file);
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(ROOT, "ops", "realm.mjs"), "start", "--config", file], { cwd: ROOT, stdio: "ignore", env });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 40_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const urlFile = path.join(config.dataDir, "postgres.url");
    const postgresUrl = await waitFor("postgres.url", 60_000, () => {
      try {
        return readFileSync(urlFile, "utf8").trim() || undefined;
      } catch {
        return undefined;
      }
    });
    await waitFor("ready realm", 90_000, async () => ((await ready(config).catch(() => false)) ? true : undefined));
    return { config, postgresUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
