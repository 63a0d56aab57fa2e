// `realm start`: PostgreSQL (embedded unless DATABASE_URL is set), then the revivers, which
// start everything else. Stays in the foreground, prints node state changes, and on Ctrl-C or
// SIGTERM stops the whole realm and leaves nothing running.
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAlive, launchNode, stopWithParent } from "../common/launch.ts";
import type { Log } from "../common/log.ts";
import { ensureRealmKeys } from "../common/mesh/realm-mesh.ts";
import { allNodes, type RealmsConfig } from "../common/topology.ts";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres.ts";
import { portsOf } from "./free-ports.ts";
import { consoleAnnouncement } from "./console-command.ts";
import { opsWire, queryStatus, stopRealm } from "./status.ts";

const POLL_MS = 500;
const STOP_DEADLINE_MS = 30_000;

export function pidFile(dataDir: string): string {
  return path.join(dataDir, "realm.pid");
}

export function runningPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(dataDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function startRealm(config: RealmsConfig, dataDir: string, log: Log): Promise<number> {
  const other = runningPid(dataDir);
  if (other !== undefined) throw new Error(`a realm already runs from ${dataDir} (pid ${other}); stop it with \`realm stop\``);
  const began = Date.now();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(pidFile(dataDir), `${process.pid}\n`);

  // one command starts a realm: the mesh's keys are made on first start (a multi-host realm makes them with `realm keys`)
  const made = ensureRealmKeys(config);
  if (made.length > 0) log.info("mesh-keys-made", { keys: config.mesh?.keys, ids: made.length });
  let postgres: RunningPostgres | undefined;
  const known = new Set<number>();
  const wire = opsWire(config);
  let stopping: Promise<number> | undefined;
  let poller: NodeJS.Timeout | undefined;
  // PostgreSQL started and the revivers launched (or the start failed): a stop waits for it
  let launched: Promise<void> = Promise.resolve();

  const stop = (why: string): Promise<number> =>
    (stopping ??= (async () => {
      clearTimeout(poller);
      log.info("realm-stopping", { why });
      // stopped while PostgreSQL starts: it is stopped once up, and no reviver is launched
      await launched;
      stopRealm(config, wire, why);
      const deadline = Date.now() + STOP_DEADLINE_MS;
      const alive = (): number[] => [...known].filter(isAlive);
      while (alive().length > 0 && Date.now() < deadline) {
        const reply = await queryStatus(config, wire, 300);
        for (const n of reply?.nodes ?? []) if (n.pid !== undefined) known.add(n.pid);
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const pid of alive()) {
        log.warn("process-killed", { pid, why: "still running after the stop deadline" });
        process.kill(pid, "SIGKILL");
      }
      await wire.close();
      await postgres?.stop();
      rmSync(pidFile(dataDir), { force: true });
      log.info("realm-stopped", { ms: Date.now() - began });
      return 0;
    })());

  const signalled = new Promise<number>((resolve) => {
    process.once("SIGINT", () => resolve(stop("SIGINT")));
    process.once("SIGTERM", () => resolve(stop("SIGTERM")));
    // under a test or a chaos run that was killed -9, nothing else would ever stop this realm
    stopWithParent(() => resolve(stop("launcher gone")));
  });

  const launch = async (): Promise<void> => {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      postgres = await startEmbeddedPostgres(dataDir, log, { avoid: portsOf(allNodes(config)) });
      databaseUrl = postgres.url;
    }
    if (stopping) return;
    const env = { ...process.env, DATABASE_URL: databaseUrl, REALM_RUN_ID: randomUUID() };
    for (const reviver of config.revivers) {
      const child = launchNode(reviver, { configFile: config.file, dataDir, env });
      if (child.pid !== undefined) known.add(child.pid);
      log.info("reviver-launched", { id: reviver.id, pid: child.pid });
    }
  };
  const starting = launch();
  launched = starting.catch(() => undefined);
  try {
    await starting;
  } catch (err) {
    await stop(`start failed: ${(err as Error).message}`);
    throw err;
  }
  if (stopping) return stopping;

  const total = allNodes(config).length;
  const states = new Map<string, string>();
  let allUpSaid = false;
  let consoleSaid = false;
  const poll = async (): Promise<void> => {
    const reply = await queryStatus(config, wire, 1000);
    if (stopping) return;
    for (const n of reply?.nodes ?? []) {
      if (n.pid !== undefined) known.add(n.pid);
      if (states.get(n.id) === n.state) continue;
      states.set(n.id, n.state);
      const fields = { id: n.id, kind: n.kind, state: n.state, pid: n.pid, restarts: n.restarts, reason: n.reason };
      if (n.state === "given-up") log.error("node-state", fields);
      else log.info("node-state", fields);
    }
    // the reviver that made the console's token printed it in its log; the operator looks here
    if (!consoleSaid && reply?.leader) {
      const line = consoleAnnouncement(config, dataDir, began);
      if (line !== undefined) console.log(line);
      consoleSaid = line !== undefined;
    }
    const up = [...states.values()].filter((s) => s === "up").length;
    if (!allUpSaid && up === total) {
      allUpSaid = true;
      const first = config.login.nodes[0];
      const login = first?.http;
      // the browser game is served by every login node; a wildcard address is reached on loopback
      const play = login && `${first.tls ? "https" : "http"}://${login.host === "0.0.0.0" ? "127.0.0.1" : login.host}:${login.port}/play`;
      log.info("realm-up", { nodes: total, ms: Date.now() - began, logs: path.join(dataDir, "logs"), play });
      if (play) console.log(`play in a browser: ${play}`);
    }
    poller = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  return signalled;
}

