// What the reviver does when a node of each kind dies, as data: the procedure's short name (kept
// with every restart and shown by `realm status`), its steps, and which nodes must be told at once
// (NODE_DOWN / NODE_UP) because their own part of the procedure starts there.
import type { AnyNodeSpec, NodeKind } from "../../common/topology.ts";

interface Procedure {
  /** Short enough for the status table and the restart record (at most 100 characters). */
  name: string;
  steps: readonly string[];
}

interface KindProcedure {
  name: string;
  /** The steps before and after the restart itself, which depends on the node's spec. */
  before: readonly string[];
  after: readonly string[];
  /** The nodes that act on NODE_DOWN / NODE_UP of `down`, among `nodes`. */
  tell: (down: AnyNodeSpec, nodes: readonly AnyNodeSpec[]) => AnyNodeSpec[];
}

const ofKind = (nodes: readonly AnyNodeSpec[], kind: NodeKind, realm?: string): AnyNodeSpec[] =>
  nodes.filter((n) => n.kind === kind && (realm === undefined || n.realm === realm));

const nobody = (): AnyNodeSpec[] => [];

const zoneLike = (kind: "zone" | "instance"): KindProcedure => ({
  name: `${kind}: restart, reload players from checkpoints, reattach`,
  before: ["tell the realm node: its players there are in limbo"],
  after: [
    "the node tells its realm node it started (ZONE_STARTED)",
    "the realm node puts its players back from their last checkpoints",
    "client nodes reattach them; players resume from the checkpoint",
  ],
  // a zone belongs to one realm; an instance serves every realm
  tell: (down, nodes) => ofKind(nodes, "realm", kind === "zone" ? down.realm : undefined),
});

const BY_KIND: Record<NodeKind, KindProcedure> = {
  client: {
    name: "client: players resume elsewhere, restart, rejoin placement",
    before: [
      "tell the realm nodes: placement drops the node at once",
      "its players reconnect to the other client nodes with their resume tokens",
    ],
    after: ["the node's first load report puts it back into placement"],
    tell: (_down, nodes) => ofKind(nodes, "realm"),
  },
  zone: zoneLike("zone"),
  instance: zoneLike("instance"),
  realm: {
    name: "realm: restart, rebuild directory from client and zone nodes; logins wait",
    before: ["logins answer 503 + Retry-After while the realm node is away"],
    after: ["the realm node rebuilds its directory from the client and zone nodes", "logins resume"],
    tell: nobody,
  },
  database: {
    name: "database: pause critical operations, restart, check integrity (restore if needed), resume",
    before: ["tell its realm node, its zones and every client node: critical operations pause, players are told"],
    after: ["the node checks its files' integrity and restores from the replica if needed", "on NODE_UP the realm resumes"],
    tell: (down, nodes) => [...ofKind(nodes, "realm", down.realm), ...ofKind(nodes, "zone", down.realm), ...ofKind(nodes, "client")],
  },
  backup: {
    name: "backup: restart, replica catches up from the database node",
    before: [],
    after: ["the replica pulls what it missed from the database node's journal"],
    tell: nobody,
  },
  login: {
    name: "login: the other login node serves, restart",
    before: ["the other login node answers every route meanwhile (shared state is in PostgreSQL)"],
    after: [],
    tell: nobody,
  },
  reviver: {
    name: "reviver: the other reviver leads, restart",
    before: ["if it led: the other reviver takes the lock and adopts the running nodes"],
    after: [],
    tell: nobody,
  },
};

/** How the node itself comes back: spawned here, or through its own `restart:` command. */
function restartStep(spec: AnyNodeSpec): string {
  return spec.restart === undefined ? "kill what is left of the process and spawn it again" : `run its restart command: ${spec.restart}`;
}

export function procedureFor(spec: AnyNodeSpec): Procedure {
  const p = BY_KIND[spec.kind];
  return { name: p.name, steps: [...p.before, restartStep(spec), ...p.after] };
}

/** The nodes to tell that `down` went down or came back. */
export function nodesToTell(down: AnyNodeSpec, nodes: readonly AnyNodeSpec[]): AnyNodeSpec[] {
  return BY_KIND[down.kind].tell(down, nodes).filter((n) => n.id !== down.id);
}
