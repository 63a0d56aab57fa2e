// The bots' accounts: a stable set `bot_0`, `bot_1`… (account names allow no "-"), reused from
// run to run with their characters. One password is hashed once per run at the shipped cost and
// written to every bot row in bulk, so a thousand accounts take one scrypt hash and a few
// statements instead of a minute of hashing; logins still pay the real price at the login nodes.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { nameKey } from "../../common/accounts/accounts.ts";
import { hashPassword, SHIPPED_SCRYPT } from "../../common/accounts/passwords.ts";

/** Who the rows say created them: only such rows are ever rewritten by a bot run. */
const BOT_CREATOR = "bots";
const BATCH = 5000;

export const botAccount = (n: number): string => `bot_${n}`;

/** Character names are letters only (nodes/realm/character-names.ts): n in bijective base 26. */
export function botCharacter(n: number): string {
  let letters = "";
  for (let k = n + 1; k > 0; k = Math.floor((k - 1) / 26)) letters = String.fromCharCode(97 + ((k - 1) % 26)) + letters;
  return `Bot${letters}`;
}

/** DATABASE_URL, or the URL a running `realm start` wrote into its data folder. */
interface BotAccounts {
  password: string;
  /** Accounts created or given this run's password. */
  ready: number;
  /** Names taken by accounts that are not bots': those bots cannot log in. */
  foreign: string[];
}

/** Creates the missing bot accounts and sets this run's password on all of them (`count` names). */
export async function prepareBotAccounts(pool: pg.Pool, count: number): Promise<BotAccounts> {
  const password = randomBytes(18).toString("base64url");
  const secret = await hashPassword(password, SHIPPED_SCRYPT);
  let ready = 0;
  const foreign: string[] = [];
  for (let from = 0; from < count; from += BATCH) {
    const names = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => botAccount(from + i));
    const { rows } = await pool.query<{ name: string }>(
      `INSERT INTO accounts (name, name_key, password_hash, password_salt, scrypt_n, scrypt_r, scrypt_p, created_by)
       SELECT t.name, t.key, $3, $4, $5, $6, $7, $8 FROM unnest($1::text[], $2::text[]) AS t(name, key)
       ON CONFLICT (name_key) DO UPDATE
          SET password_hash = EXCLUDED.password_hash, password_salt = EXCLUDED.password_salt, scrypt_n = EXCLUDED.scrypt_n,
              scrypt_r = EXCLUDED.scrypt_r, scrypt_p = EXCLUDED.scrypt_p, password_changed_at = now()
        WHERE accounts.created_by = $8
       RETURNING name`,
      [names, names.map(nameKey), secret.hash, secret.salt, secret.N, secret.r, secret.p, BOT_CREATOR],
    );
    ready += rows.length;
    const done = new Set(rows.map((r) => r.name));
    foreign.push(...names.filter((n) => !done.has(n)));
  }
  return { password, ready, foreign };
}
