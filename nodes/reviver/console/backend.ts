// The reviver's side of the operator console: what the pages read (the supervisor's table, the
// backup node's snapshots, accounts) and what the actions do, through the same functions as the
// CLI (common/operator/, the restart cycles, the supervisor).
import type pg from "pg";
import { AccountStore, NoSuchAccountError } from "../../../common/accounts/accounts.ts";
import type { Log } from "../../../common/log.ts";
import { BackupDesk } from "../../../common/operator/backup-desk.ts";
import { muteCharacter } from "../../../common/operator/chat-mute.ts";
import { ConsoleTokens, TOKEN_ENV } from "../../../common/operator/console-token.ts";
import { banPlayer, findPlayers, kickPlayer } from "../../../common/operator/player-desk.ts";
import { EntityKind } from "../../../common/cell-snapshot.ts";
import { Op } from "../../../common/opcodes.ts";
import { NoticeKind } from "../../../common/player-opcodes.ts";
import type { Wire } from "../../../common/wire.ts";
import { findNode, type RealmsConfig, type RealmSpec, type ReviverSpec } from "../../../common/topology.ts";
import type { RestartCycles } from "../restart-cycle.ts";
import type { Supervisor } from "../supervisor.ts";
import { ActionRefused, type ConsoleAction } from "./actions.ts";
import { ConsoleAudit, type AuditEntry } from "./audit.ts";
import { ConsoleServer, type ConsoleBackend, type View } from "./server.ts";
import { StateFeed } from "./state-feed.ts";
import { VitalsSeries } from "./vitals-series.ts";

interface ReviverParts {
  spec: ReviverSpec;
  config: RealmsConfig;
  log: Log;
  pool: pg.Pool;
  supervisor: Supervisor;
  cycles: RestartCycles;
  wire: Pick<Wire, "request">;
  /** Tells every player of a realm, through every client node (as the restart cycles do). */
  notice(realm: string, kind: number, seconds: number, text: string): void;
}

const SEARCH = /^[A-Za-z0-9_]{1,24}$/;

class ReviverConsole implements ConsoleBackend {
  private readonly tokens: ConsoleTokens;
  private readonly auditLog: ConsoleAudit;
  private readonly accounts: AccountStore;
  readonly feed: StateFeed;
  readonly series: VitalsSeries;

  constructor(private readonly parts: ReviverParts) {
    this.feed = new StateFeed(() => parts.supervisor.status());
    this.series = new VitalsSeries(() => parts.supervisor.status(), parts.config);
    this.tokens = new ConsoleTokens(parts.pool);
    this.auditLog = new ConsoleAudit(parts.pool, parts.spec.id);
    this.accounts = new AccountStore(parts.pool);
  }

  /**
   * On becoming leader: the first leader of a database makes the token and prints it, the one
   * time it is seen in clear (`realm start` shows the line too); or takes REALM_CONSOLE_TOKEN.
   */
  async announce(url: string): Promise<void> {
    const chosen = process.env[TOKEN_ENV] || undefined;
    const made = await this.tokens.ensure(this.parts.spec.id, chosen);
    // a chosen token is known to whoever chose it: it stays out of the logs
    if (made.token !== undefined && chosen === undefined) {
      this.parts.log.info("console-token", { url, token: made.token, note: "shown once: keep it; `realm console token --reset` makes a new one" });
    } else {
      this.parts.log.info("console-serving", { url, note: "log in with the operator token (`realm console token --reset` if it is lost)" });
    }
  }

  leading(): boolean {
    return this.parts.supervisor.isLeading;
  }

  leaderHint(): { leader?: string; console?: string } {
    const leader = this.parts.supervisor.status().find((n) => n.kind === "reviver" && n.state === "up" && n.vitals.leader === 1);
    if (!leader) return {};
    const at = this.parts.config.revivers.find((r) => r.id === leader.id)?.console;
    return at ? { leader: leader.id, console: `${at.host}:${at.port}` } : { leader: leader.id };
  }

  checkToken(token: string): Promise<string | undefined> {
    return this.tokens.check(token);
  }

  audit(e: AuditEntry): Promise<void> {
    return this.auditLog.record(e);
  }

  async read(view: View, query: URLSearchParams): Promise<unknown> {
    const { config, supervisor, spec } = this.parts;
    switch (view) {
      case "status":
        return {
          reviver: spec.id,
          at: Date.now(),
          nodes: supervisor.status(),
          changes: this.feed.latest(),
          // the page asks with the time of the last sample it has, so each poll carries only what is new
          samples: this.series.after(Number(query.get("since") ?? 0) || 0),
          realms: config.realms.map((r) => ({ name: r.name, world: r.world, realmNode: r.realmNode.id, zones: r.zones.map((z) => ({ id: z.id, region: z.region })) })),
          clientNodes: config.clientNodes.map((c) => c.id),
        };
      case "backups":
        return this.desk(this.realm(query.get("realm") ?? "")).list(20);
      case "players": {
        const q = query.get("q") ?? "";
        if (!SEARCH.test(q)) throw new ActionRefused(400, "search with the start of an account name: 1 to 24 letters, digits or _");
        return findPlayers(this.parts.pool, q);
      }
      case "audit":
        return this.auditLog.latest(50);
      case "density":
        return this.density(this.realm(query.get("realm") ?? ""));
    }
  }

  async act(a: ConsoleAction): Promise<string> {
    const { supervisor, cycles, config, wire } = this.parts;
    switch (a.action) {
      case "node.restart": {
        const node = findNode(config, a.node);
        if (!node) throw new ActionRefused(404, `no node ${a.node} in ${config.file}`);
        if (node.id === this.parts.spec.id) throw new ActionRefused(409, `${node.id} serves this console: restart the other reviver, or stop this one and let the other lead`);
        if (!(await supervisor.restartNode(node.id, "asked from the console"))) throw new ActionRefused(409, `${node.id} cannot be restarted now (the realm is stopping, or this reviver no longer leads)`);
        return `${node.id} stopped and starting again`;
      }
      case "backup.take": {
        const r = await this.desk(this.realm(a.realm)).snapshotNow();
        return `snapshot ${r.snapshotId} verified: seq ${r.seq}, ${r.bytes} bytes, ${r.tookMs} ms, sha256 ${r.sha256}`;
      }
      case "backup.verify": {
        const r = await this.desk(this.realm(a.realm)).verify(a.snapshotId);
        if (!r.ok) throw new Error(`snapshot ${a.snapshotId} is TAMPERED: ${r.error}`);
        return `snapshot ${a.snapshotId} verified: checksum matches, integrity check passed (seq ${r.seq})`;
      }
      case "realm.restart":
      case "realm.restart.cancel": {
        const realm = this.realm(a.realm).name;
        const cancel = a.action === "realm.restart.cancel";
        const answer = cycles.ask(realm, cancel ? 0 : a.inSeconds * 1000, cancel, "the operator console");
        if (!answer.ok) throw new ActionRefused(409, answer.error);
        return cancel ? `restart of ${realm} cancelled` : `restart of ${realm} at ${new Date(answer.at ?? Date.now()).toISOString()}; players are being warned`;
      }
      case "player.kick":
        return (await this.onAccount(a.name, () => kickPlayer(this.accounts, wire, config, a.name, a.reason ?? "kicked by an operator"))).join("; ");
      case "player.ban":
        return (await this.onAccount(a.name, () => banPlayer(this.accounts, wire, config, a.name, a.reason ?? "banned by an operator"))).join("; ");
      case "player.mute":
        return (await muteCharacter(wire, config, a.name, a.forMinutes * 60_000, `console ${this.parts.spec.id}`)).join("; ");
      case "notice": {
        const realm = this.realm(a.realm).name;
        this.parts.notice(realm, NoticeKind.INFO, 0, a.text);
        return `notice sent to the players of ${realm} through ${config.clientNodes.length} client nodes`;
      }
    }
  }

  private realm(name: string): RealmSpec {
    const realm = this.parts.config.realms.find((r) => r.name === name);
    if (!realm) throw new ActionRefused(404, `no realm "${name.slice(0, 64)}" (there are: ${this.parts.config.realms.map((r) => r.name).join(", ")})`);
    return realm;
  }

  /**
   * Players per cell of a realm's world, counted from each zone's own list of what it holds (every
   * layer): asked only while the map is on screen, every few seconds, so idle zones pay nothing.
   */
  private async density(realm: RealmSpec): Promise<{ realm: string; cell: number; cols: number; cells: [number, number][]; missing: string[] }> {
    const { width, cell } = realm.world;
    const cols = Math.ceil(width / cell);
    const counts = new Map<number, number>();
    const missing: string[] = [];
    const answers = await Promise.allSettled(realm.zones.map((z) => this.parts.wire.request(z.id, Op.ZONE_TRUTH_REQUEST, {}, 1000)));
    answers.forEach((a, i) => {
      if (a.status === "rejected") return void missing.push(realm.zones[i]!.id);
      for (const e of a.value.entities) {
        if (e.kind !== EntityKind.PLAYER) continue;
        const at = Math.floor(e.y / cell) * cols + Math.floor(e.x / cell);
        counts.set(at, (counts.get(at) ?? 0) + 1);
      }
    });
    return { realm: realm.name, cell, cols, cells: [...counts], missing };
  }

  private desk(realm: RealmSpec): BackupDesk {
    return new BackupDesk(this.parts.wire, realm);
  }

  private async onAccount<T>(name: string, act: () => Promise<T>): Promise<T> {
    try {
      return await act();
    } catch (err) {
      if (err instanceof NoSuchAccountError) throw new ActionRefused(404, err.message);
      throw err;
    }
  }
}

/** The console of this reviver, if realms.yaml gives it a `console:` address; it listens whether or not we lead. */
export async function openConsole(parts: ReviverParts): Promise<{ lead(): void; close(): Promise<void> } | undefined> {
  const at = parts.spec.console;
  if (at === undefined) return undefined;
  const backend = new ReviverConsole(parts);
  const server = new ConsoleServer(at, backend, parts.log);
  await server.start();
  backend.feed.start();
  backend.series.start();
  return {
    lead: () => void backend.announce(server.url).catch((err: Error) => parts.log.error("console-token-failed", { error: err.message })),
    close: () => {
      backend.feed.stop();
      backend.series.stop();
      return server.close();
    },
  };
}
