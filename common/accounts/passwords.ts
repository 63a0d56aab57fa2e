// Passwords: scrypt (node:crypto) with a per-account salt and the cost parameters stored beside
// the hash, so the shipped cost can be raised later without breaking older accounts.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** What new accounts get: ~40 ms of one core per check on the machines we measured (README, Measured). */
export const SHIPPED_SCRYPT: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 14, r: 8, p: 1 });

const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** What an account stores: never the password, only what checks it. */
export interface PasswordSecret extends ScryptCost {
  hash: Buffer;
  salt: Buffer;
}

/** Async scrypt runs on the libuv pool: the node's event loop keeps serving while a hash runs. */
function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; say so, or costs above the 32 MiB default fail
  const opts: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r * cost.p + (1 << 20) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = SHIPPED_SCRYPT): Promise<PasswordSecret> {
  const salt = randomBytes(SALT_BYTES);
  return { ...cost, salt, hash: await derive(password, salt, cost) };
}

/** Compares in constant time; a secret of another length (corrupt row) is simply no match. */
export async function verifyPassword(password: string, secret: PasswordSecret): Promise<boolean> {
  const key = await derive(password, secret.salt, secret);
  return key.length === secret.hash.length && timingSafeEqual(key, secret.hash);
}

/**
 * Checked when the account does not exist, with the shipped cost: an unknown name then takes as
 * long as a wrong password, so response times do not tell which names exist.
 */
export const UNKNOWN_ACCOUNT_SECRET: PasswordSecret = {
  ...SHIPPED_SCRYPT,
  salt: randomBytes(SALT_BYTES),
  // random, so no password matches it
  hash: randomBytes(KEY_BYTES),
};

/** Passwords people choose: long enough to resist guessing at our rate limits, short enough to hash cheaply. */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  return undefined;
}
