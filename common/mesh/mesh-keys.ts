// The key files of a realm's node mesh: one CURVE pair per node id, plus the operator's pair that
// tools (the CLI, benches, test harnesses) use. `<id>.key` holds the secret (mode 0600, only the
// node's own host needs it), `<id>.pub` the public key (every host needs all of them).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z85Decode, z85Encode } from "./z85.ts";

/** The key file name of tools: ids outside the config prove themselves with this pair. */
export const OPERATOR = "operator";

/** A CURVE key pair in Z85, as zeromq.js takes it. */
export interface KeyPair {
  publicKey: string;
  secretKey: string;
}

// PKCS#8 DER of an X25519 private key is this prefix and the 32 raw bytes (RFC 8410).
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");

export function x25519Private(secretKey: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, z85Decode(secretKey)]), format: "der", type: "pkcs8" });
}

export function x25519Public(publicKey: string): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: z85Decode(publicKey).toString("base64url") }, format: "jwk" });
}

/** The pair of a secret key: CURVE is X25519, so node:crypto derives what libzmq would. */
export function keyPairOf(secretKey: string): KeyPair {
  const jwk = createPublicKey(x25519Private(secretKey)).export({ format: "jwk" });
  return { publicKey: z85Encode(Buffer.from(jwk.x ?? "", "base64url")), secretKey };
}

export function newKeyPair(): KeyPair {
  const jwk = generateKeyPairSync("x25519").privateKey.export({ format: "jwk" });
  return keyPairOf(z85Encode(Buffer.from(jwk.d ?? "", "base64url")));
}

export const keyFile = (dir: string, id: string, part: "key" | "pub"): string => path.join(dir, `${id}.${part}`);

/** Writes `text` to `file` only if no such file exists (link is atomic): two processes making keys at once keep one pair. */
function createOnce(file: string, text: string, mode: number): boolean {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, `${text}\n`, { mode });
  chmodSync(temp, mode);
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

function readKey(file: string): string {
  const text = readFileSync(file, "utf8").trim();
  z85Decode(text);
  if (text.length !== 40) throw new Error(`${file}: a CURVE key is 40 Z85 characters, this is ${text.length}`);
  return text;
}

/** Makes the pairs of `ids` that `dir` lacks; an existing pair is never replaced. Returns the ids given a new pair. */
export function ensureKeys(dir: string, ids: readonly string[]): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made: string[] = [];
  for (const id of ids) {
    const pair = newKeyPair();
    // public first: a reader that finds the secret always finds its public key beside it
    if (!createOnce(keyFile(dir, id, "pub"), pair.publicKey, 0o644)) continue;
    if (!createOnce(keyFile(dir, id, "key"), pair.secretKey, 0o600)) throw new Error(`${keyFile(dir, id, "key")} exists without its public key`);
    made.push(id);
  }
  return made;
}

/** The pair of `id` from its secret key file; the message names the file and the remedy. */
export function readKeyPair(dir: string, id: string): KeyPair {
  const file = keyFile(dir, id, "key");
  try {
    return keyPairOf(readKey(file));
  } catch (err) {
    throw new Error(`no usable CURVE secret key for ${id} at ${file} (${(err as Error).message}); make the realm's keys with \`realm keys\` and copy ${id}.key to this host`);
  }
}

/** Every public key in `dir`, by id; unreadable files are left out (and so refused as peers). */
export function readPublicKeys(dir: string): Map<string, string> {
  const keys = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return keys;
  }
  for (const name of names) {
    if (!name.endsWith(".pub")) continue;
    try {
      keys.set(name.slice(0, -4), readKey(path.join(dir, name)));
    } catch {
      // a half-written or foreign file: its id simply has no key
    }
  }
  return keys;
}
