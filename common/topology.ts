// The typed model of realms.yaml. Everything the nodes know of the topology comes from here.
// It lives in common/ because every layer reads it; config/load.ts builds it from the file.
import type { DungeonKind } from "./dungeons.ts";

export type NodeKind = "reviver" | "login" | "realm" | "client" | "zone" | "instance" | "database" | "backup";

/** The order in which the reviver starts kinds: each one needs the ones before it. */
export const START_ORDER: readonly NodeKind[] = ["database", "backup", "realm", "zone", "instance", "client", "login"];

export interface HostPort {
  host: string;
  port: number;
}

interface NodeSpec {
  id: string;
  kind: NodeKind;
  /** The realm a node belongs to; undefined for nodes shared by all realms (login, client, instance, reviver). */
  realm: string | undefined;
  /** ZeroMQ endpoint of the node's inbox (ROUTER), e.g. tcp://127.0.0.1:7100. */
  inbox: string;
  /** A shell command that (re)starts the node elsewhere; without it the reviver spawns it locally. */
  restart: string | undefined;
  /** Where the node serves Prometheus `/metrics` over HTTP (a reviver: the realm's aggregate); undefined: no listener. */
  metrics: HostPort | undefined;
  /** Line in the config file where the node is declared, for messages that point back at it. */
  line: number;
}

/** The PEM pair a player-facing listener serves TLS with (login `http` as https, client `ws` as wss). */
export interface TlsFiles {
  /** Certificate (chain first), absolute path. */
  cert: string;
  /** Its private key, absolute path. */
  key: string;
  /** Where realms.yaml names them: the files are read at node start, on the node's own host, so that is where a bad one is found. */
  declared: { file: string; path: string; certLine: number; keyLine: number };
}

export interface LoginNodeSpec extends NodeSpec {
  kind: "login";
  http: HostPort;
  /** Given: the node serves https only. */
  tls: TlsFiles | undefined;
}

/** Where a login node's HTTP API is reached, as seen from the machine it runs on. */
export const loginNodeUrl = (n: LoginNodeSpec, path = "/"): URL => new URL(path, `${n.tls ? "https" : "http"}://${n.http.host}:${n.http.port}/`);

export interface ClientNodeSpec extends NodeSpec {
  kind: "client";
  ws: HostPort;
  /** Given: the node serves wss only. */
  tls: TlsFiles | undefined;
  /** The URL players are told, when they reach the node through a proxy or a TLS terminator. */
  publicUrl: string | undefined;
}

/** The URL players open to reach a client node. */
export const clientNodeUrl = (c: ClientNodeSpec): string => c.publicUrl ?? `${c.tls ? "wss" : "ws"}://${c.ws.host}:${c.ws.port}/`;

export interface ZoneSpec extends NodeSpec {
  kind: "zone";
  realm: string;
  /** [x0, y0, x1, y1), world units. */
  region: [number, number, number, number];
  pub: string;
  /** NPCs spawned over the region. */
  npcs: number;
}

export interface InstanceSpec extends NodeSpec {
  kind: "instance";
  pub: string;
}

export interface DatabaseSpec extends NodeSpec {
  kind: "database";
  realm: string;
  flushMs: number;
}

export interface BackupSpec extends NodeSpec {
  kind: "backup";
  realm: string;
  /** Snapshot interval, ms. */
  everyMs: number;
  keep: number;
}

export interface RealmNodeSpec extends NodeSpec {
  kind: "realm";
  realm: string;
}

export interface ReviverSpec extends NodeSpec {
  kind: "reviver";
  /** Where the operator console listens (HTTP); only the leading reviver serves it, a follower names the leader. */
  console: HostPort | undefined;
}

export interface WorldSpec {
  width: number;
  height: number;
  cell: number;
}

/** A place in a realm's world where players ask into a dungeon of `kind`. */
export interface DungeonEntrance {
  /** Unique in the realm: what a player names when it asks in. */
  name: string;
  kind: DungeonKind;
  /** The entrance point, world units; players within `radius` of it may go in, and come back out here. */
  at: [number, number];
  radius: number;
}

export interface RealmSpec {
  name: string;
  playerCap: number;
  tickHz: number;
  realmNode: RealmNodeSpec;
  database: DatabaseSpec;
  backup: BackupSpec;
  world: WorldSpec;
  /** How far a player sees, world units: its interest is the cells within this radius. */
  vision: number;
  /** Players in one copy of a zone past which newcomers go to another copy (a layer). */
  layerPlayers: number;
  /** How often a zone saves each player to the database node. */
  checkpointEveryMs: number;
  /** Areas no one may walk into, [x0, y0, x1, y1) each. */
  blocked: [number, number, number, number][];
  /** Bytes of world updates a client node sends each player per tick, at most; the rest waits a tick. */
  clientBudgetBytes: number;
  /** How long a dropped player may reconnect (to any client node) and find its character as it left it. */
  reconnectGraceMs: number;
  /** A daily restart of the realm's nodes, if set: at this UTC minute of the day, players warned `warnMs` ahead. */
  dailyRestart?: { atMinute: number; warnMs: number };
  zones: ZoneSpec[];
  dungeons: DungeonEntrance[];
}

export interface RealmsConfig {
  /** Absolute path of the file this came from. */
  file: string;
  /** Where nodes keep their data unless the CLI says otherwise (relative paths are relative to the file). */
  dataDir: string;
  /** CURVE on every ZeroMQ socket, with the key pairs in `keys` (see common/mesh/); undefined: plain TCP between nodes. */
  mesh: { keys: string } | undefined;
  login: { nodes: LoginNodeSpec[]; register: boolean };
  revivers: ReviverSpec[];
  clientNodes: ClientNodeSpec[];
  realms: RealmSpec[];
  /** Dungeon nodes shared by all realms; an empty instance closes after `closeAfterMs`. */
  instances: { pool: InstanceSpec[]; maxPlayers: number; closeAfterMs: number };
}

export type AnyNodeSpec =
  | LoginNodeSpec
  | ClientNodeSpec
  | ZoneSpec
  | InstanceSpec
  | DatabaseSpec
  | BackupSpec
  | RealmNodeSpec
  | ReviverSpec;

/** Every node in the file, revivers first, then in START_ORDER. */
export function allNodes(cfg: RealmsConfig): AnyNodeSpec[] {
  const byKind = (kind: NodeKind): AnyNodeSpec[] => {
    switch (kind) {
      case "reviver":
        return cfg.revivers;
      case "login":
        return cfg.login.nodes;
      case "client":
        return cfg.clientNodes;
      case "instance":
        return cfg.instances.pool;
      case "realm":
        return cfg.realms.map((r) => r.realmNode);
      case "database":
        return cfg.realms.map((r) => r.database);
      case "backup":
        return cfg.realms.map((r) => r.backup);
      case "zone":
        return cfg.realms.flatMap((r) => r.zones);
    }
  };
  return [...byKind("reviver"), ...START_ORDER.flatMap(byKind)];
}

export function findNode(cfg: RealmsConfig, id: string): AnyNodeSpec | undefined {
  return allNodes(cfg).find((n) => n.id === id);
}
