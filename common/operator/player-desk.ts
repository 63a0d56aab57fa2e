// The operator's hand on players, shared by `realm account` (ops/account-commands.ts) and the
// operator console (nodes/reviver/console/): find an account and its live session, kick, ban.
// A kick ends the session in PostgreSQL first, then tells the realm node holding its place,
// which has the client node close the socket.
import type pg from "pg";
import { AccountStore, NoSuchAccountError, type EndedSession } from "../accounts/accounts.ts";
import { Op } from "../opcodes.ts";
import type { Wire } from "../wire.ts";
import type { RealmsConfig } from "../topology.ts";

interface PlayerFound {
  accountId: string;
  name: string;
  banned: boolean;
  banReason: string | null;
  /** The live session, if the player is logged in. */
  session: { realm: string; clientNode: string | null; since: number } | null;
}

/** Accounts whose name starts with `prefix` (case-insensitive), at most `limit`, with their live session. */
export async function findPlayers(db: pg.Pool, prefix: string, limit = 20): Promise<PlayerFound[]> {
  const { rows } = await db.query<{ id: string; name: string; reason: string | null; realm: string | null; client_node: string | null; since: Date | null }>(
    `SELECT a.id, a.name, b.reason, s.realm, s.client_node, s.created_at AS since
       FROM accounts a
       LEFT JOIN account_bans b ON b.account_id = a.id AND b.lifted_at IS NULL
       LEFT JOIN sessions s ON s.account_id = a.id AND s.ended_at IS NULL AND s.expires_at > now()
      WHERE a.name_key LIKE $1 ESCAPE '\\'
      ORDER BY a.name_key LIMIT $2`,
    [`${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit],
  );
  return rows.map((r) => ({
    accountId: String(r.id),
    name: r.name,
    banned: r.reason !== null,
    banReason: r.reason,
    session: r.realm === null ? null : { realm: r.realm, clientNode: r.client_node, since: r.since?.getTime() ?? 0 },
  }));
}

/** Tells the realm nodes holding the account's ended sessions to free the places and kick the players; one line per realm. */
export async function kickFromRealms(
  wire: Pick<Wire, "request">,
  config: RealmsConfig,
  accountId: string,
  ended: EndedSession[],
  reason: string,
): Promise<string[]> {
  return Promise.all(
    ended.map(async (s) => {
      const node = config.realms.find((r) => r.name === s.realm)?.realmNode.id;
      if (!node) return `${s.realm}: not in this config`;
      try {
        const answer = await wire.request(node, Op.SESSION_END, { accountId, sessionHash: s.handleHash, reason }, 2000);
        return `${s.realm}: ${answer.ended ? "player kicked" : "no player online"}`;
      } catch {
        return `${s.realm}: realm node not answering (the session is ended; the place frees when it expires)`;
      }
    }),
  );
}

/** Ends the player's live session and closes its connection; the lines say what happened per realm. */
export async function kickPlayer(accounts: AccountStore, wire: Pick<Wire, "request">, config: RealmsConfig, name: string, reason: string): Promise<string[]> {
  const account = await accounts.find(name);
  if (!account) throw new NoSuchAccountError(name);
  const ended = await accounts.endLiveSessions(account.id, reason);
  if (ended.length === 0) return [`${account.name} is not logged in`];
  return kickFromRealms(wire, config, account.id, ended, reason);
}

/** Refuses the account's logins from now on and kicks the player. */
export async function banPlayer(accounts: AccountStore, wire: Pick<Wire, "request">, config: RealmsConfig, name: string, reason: string): Promise<string[]> {
  const { id, added } = await accounts.ban(name, reason);
  const kicked = await kickFromRealms(wire, config, id, await accounts.endLiveSessions(id, `banned: ${reason}`), `banned: ${reason}`);
  return [added ? `${name} banned (${reason})` : `${name} was already banned`, ...kicked];
}
