// A node's place in the CURVE mesh: its key pair, the keys it trusts, and the proof that binds
// its node id to its key. CURVE alone authenticates a connection's key, but a ROUTER only sees
// the routing id a DEALER declares; so a DEALER's routing id is `<id>|<proof>`, where the proof
// is an HMAC under the X25519 secret the two ends share (only the holder of <id>'s secret key or
// of the receiver's can make it) over the pair of ids. A node with a valid key therefore cannot
// speak as another node id, and the sender table (common/protocol/senders.ts) applies to the
// kind it really is. The routing id travels inside the encrypted handshake, and the proof is
// good for one receiver only, so a peer that learns it cannot use it elsewhere.
import { createHmac, diffieHellman, timingSafeEqual } from "node:crypto";
import * as zmq from "zeromq";
import type { Log } from "../log.ts";
import { x25519Private, x25519Public, type KeyPair } from "./mesh-keys.ts";
import { registerKeys } from "./zap.ts";

const SEPARATOR = "|";
const PROOF_CHARS = 22; // 132 bits of the HMAC
const MAX_CACHED = 10_000;
// libzmq refuses a handshake outright when no ZAP handler answers for this domain
const ZAP_DOMAIN = "realm";

/** The public keys a node trusts: by node id, and the id that holds a key. */
export interface PeerKeys {
  keyOf(id: string): string | undefined;
  holderOf(publicKey: string): string | undefined;
}

/** Public keys from pairs in memory, by id: for meshes made on the spot (benches, tests). */
export function keyBook(pairs: Readonly<Record<string, KeyPair>>): PeerKeys {
  return {
    keyOf: (id) => pairs[id]?.publicKey,
    holderOf: (key) => Object.entries(pairs).find(([, p]) => p.publicKey === key)?.[0],
  };
}

/** The CURVE options of a socket: the server side (inbox, PUB) or a client of one peer. */
type CurveOptions = Partial<Pick<zmq.Socket, "curveServer" | "curveSecretKey" | "curvePublicKey" | "curveServerKey" | "zapDomain" | "zapEnforceDomain">>;

export class MeshIdentity {
  private readonly secret;
  private readonly shared = new Map<string, Buffer>();
  /** Routing ids seen at the inbox: the node id they prove, or null for a forgery. */
  private readonly proven = new Map<string, string | null>();

  constructor(
    readonly self: string,
    private readonly pair: KeyPair,
    private readonly keys: PeerKeys,
  ) {
    if (!zmq.capability.curve) throw new Error("this zeromq build has no CURVE support (zmq.capability.curve is false): the node mesh cannot be secured; reinstall zeromq with its prebuilt binaries");
    this.secret = x25519Private(pair.secretKey);
  }

  private listening: Promise<() => void> | undefined;

  /** Registers the trusted keys with the process's ZAP handler, once, before a server socket binds; returns the removal. */
  listen(log: Log): Promise<() => void> {
    return (this.listening ??= registerKeys((key) => this.keys.holderOf(key), log));
  }

  serverOptions(): CurveOptions {
    return { curveServer: true, curveSecretKey: this.pair.secretKey, zapDomain: ZAP_DOMAIN, zapEnforceDomain: true };
  }

  /** Options of a socket that connects to `peer`: its public key is what the handshake checks the server against. */
  clientOptions(peer: string): CurveOptions {
    return { curveServerKey: this.peerKey(peer), curvePublicKey: this.pair.publicKey, curveSecretKey: this.pair.secretKey };
  }

  /** The routing id this node uses on its DEALER to `peer`. */
  routingIdFor(peer: string): string {
    return `${this.self}${SEPARATOR}${this.proof(this.self, peer, peer)}`;
  }

  /** The node id a routing id proves, or undefined when it proves none (a forged or unknown id). */
  senderOf(routingId: string): string | undefined {
    const known = this.proven.get(routingId);
    if (known !== undefined) return known ?? undefined;
    const claimed = claimedId(routingId);
    let sender: string | null = null;
    if (claimed !== undefined && this.keys.keyOf(claimed) !== undefined) {
      const given = Buffer.from(routingId.slice(claimed.length + SEPARATOR.length), "latin1");
      const expected = Buffer.from(this.proof(claimed, this.self, claimed), "latin1");
      if (given.length === expected.length && timingSafeEqual(given, expected)) sender = claimed;
    }
    // bounded: a forger cycling through routing ids must not grow the map without end
    if (this.proven.size >= MAX_CACHED) this.proven.clear();
    this.proven.set(routingId, sender);
    return sender ?? undefined;
  }

  private peerKey(peer: string): string {
    const key = this.keys.keyOf(peer);
    if (key === undefined) throw new Error(`no CURVE public key for ${peer}: make the realm's keys with \`realm keys\``);
    return key;
  }

  /** HMAC of "from>to" under the secret shared with `other`. */
  private proof(from: string, to: string, other: string): string {
    let secret = this.shared.get(other);
    if (!secret) {
      secret = diffieHellman({ privateKey: this.secret, publicKey: x25519Public(this.peerKey(other)) });
      this.shared.set(other, secret);
    }
    return createHmac("sha256", secret).update(`realm-mesh-v1 ${from}>${to}`).digest("base64url").slice(0, PROOF_CHARS);
  }
}

/** The node id a routing id claims, without its proof (for logs: a proof is never written down); undefined when it has none. */
export function claimedId(routingId: string): string | undefined {
  const cut = routingId.lastIndexOf(SEPARATOR);
  return cut > 0 ? routingId.slice(0, cut) : undefined;
}
