// A realm's mesh from its realms.yaml: the keys folder it names, the node ids it declares, and the
// identity of one node or tool in it. Key files are read at start and read again (at most once a
// second) when a key or id is missing, so keys made for a node added later are found.
import { allNodes, findNode, type RealmsConfig, type ZoneSpec } from "../topology.ts";
import type { Log } from "../log.ts";
import { Wire, type Handler } from "../wire.ts";
import { worldTopic } from "../world-address.ts";
import { ZoneFeed } from "../zone-feed.ts";
import { MeshIdentity, type PeerKeys } from "./mesh-identity.ts";
import { ensureKeys, OPERATOR, readKeyPair, readPublicKeys } from "./mesh-keys.ts";

const RELOAD_MS = 1000;

/** The public keys in a realm's keys folder: node ids by their own key, every other id (a tool) by the operator's. */
class KeyFolder implements PeerKeys {
  private byId = new Map<string, string>();
  private byKey = new Map<string, string>();
  private readAt = 0;

  constructor(
    private readonly dir: string,
    private readonly nodeIds: ReadonlySet<string>,
  ) {
    this.read();
  }

  keyOf(id: string): string | undefined {
    const file = this.nodeIds.has(id) ? id : OPERATOR;
    return this.byId.get(file) ?? (this.stale() ? this.read().byId.get(file) : undefined);
  }

  holderOf(publicKey: string): string | undefined {
    return this.byKey.get(publicKey) ?? (this.stale() ? this.read().byKey.get(publicKey) : undefined);
  }

  private stale(): boolean {
    return Date.now() - this.readAt >= RELOAD_MS;
  }

  private read(): this {
    this.readAt = Date.now();
    const keys = readPublicKeys(this.dir);
    // only the realm's own ids and the operator's: a stray file in the folder trusts nobody
    for (const id of keys.keys()) if (id !== OPERATOR && !this.nodeIds.has(id)) keys.delete(id);
    this.byId = keys;
    this.byKey = new Map([...keys].map(([id, key]) => [key, id]));
    return this;
  }
}

const nodeIdsOf = (config: RealmsConfig): Set<string> => new Set(allNodes(config).map((n) => n.id));

/** The public keys a realm's nodes trust; undefined when the realm runs without CURVE. */
export function realmKeys(config: RealmsConfig): PeerKeys | undefined {
  return config.mesh && new KeyFolder(config.mesh.keys, nodeIdsOf(config));
}

/** The mesh identity of `id` (a node of the config, or any other id: a tool with the operator's key); undefined when the realm runs without CURVE. */
export function meshIdentity(config: RealmsConfig, id: string): MeshIdentity | undefined {
  const keys = realmKeys(config);
  if (!config.mesh || !keys) return undefined;
  const pair = readKeyPair(config.mesh.keys, findNode(config, id) ? id : OPERATOR);
  return new MeshIdentity(id, pair, keys);
}

/** Makes the key pairs the realm lacks (every node's and the operator's); returns the ids given one. Nothing when the realm runs without CURVE. */
export function ensureRealmKeys(config: RealmsConfig): string[] {
  return config.mesh ? ensureKeys(config.mesh.keys, [...nodeIdsOf(config), OPERATOR]) : [];
}

/** SUB sockets on every zone's PUB as the tool `self`, subscribed to all their cells: the CLI's and harnesses' view of the world. */
export function watchZones(config: RealmsConfig, zones: readonly ZoneSpec[], self: string): ZoneFeed {
  const feed = new ZoneFeed(zones, meshIdentity(config, self), 100_000);
  for (const z of zones) feed.subscribe(z.id, worldTopic(z.id));
  return feed;
}

/** The wire of a tool or harness that speaks as `self` to the realm's nodes by id, with the realm's mesh. */
export function realmWire(config: RealmsConfig, self: string, log: Log, handler: Handler = () => {}): Wire {
  return new Wire(self, log, (peer) => findNode(config, peer)?.inbox, handler, undefined, meshIdentity(config, self));
}
