// What the login node answers, route by route, in HTTP terms (status, JSON body, headers), with
// the parsing of requests left to login-http.ts. Every refusal is a 4xx (or a 503 when a realm
// is not answering) with `{error}` saying what to do.
import { availableParallelism } from "node:os";
import type { Log } from "../../common/log.ts";
import { AccountStore, AccountTakenError, accountNameProblem, nameKey, type Account } from "../../common/accounts/accounts.ts";
import { UNKNOWN_ACCOUNT_SECRET, passwordProblem, verifyPassword } from "../../common/accounts/passwords.ts";
import { clientNodeUrl, type RealmsConfig } from "../../common/topology.ts";
import type { LoginAudit } from "./audit.ts";
import type { FailureCounters } from "./brute-force.ts";
import { BusyError, HashGate } from "./hash-gate.ts";
import type { LoginQueue } from "./login-queue.ts";
import { REALM_WAIT_MS, RealmDownError, type RealmLink } from "./realm-link.ts";
import { HANDLE_FORMAT, type Issued, type Placed, type SessionIssuer } from "./sessions.ts";

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const refuse = (status: number, error: string, headers?: Record<string, string>): Answer => (headers ? { status, body: { error }, headers } : { status, body: { error } });

/** Logins one node lets wait for a hash; past it, players are asked to come back later. */
const MAX_WAITING = 64;
/** Well inside what a client waits for an answer (the bots: 20 s), with the realm's placement after it. */
const MAX_HASH_WAIT_MS = 5000;
/** A busy node's players come back after this: a second's polling from every waiting player would be a flood of its own. */
const BUSY_RETRY_S = 3;

/** 503 with the Retry-After every busy or overloaded answer of the node carries. */
export const busyRefusal = (why: string): Answer => refuse(503, `${why}; try again in ${BUSY_RETRY_S} s`, { "retry-after": String(BUSY_RETRY_S) });
const BUSY = "the login node is busy";
/** The realm list is asked for by every player's launcher: answer it from a copy this fresh. */
const REALM_LIST_MS = 500;
/**
 * A login whose realm node is not answering (restarting: back in about a second, then it rebuilds
 * its directory) is held open this long; past it the player gets the queue's wait answer and
 * polls, like a player waiting for a full realm, until the realm node has been silent for REALM_WAIT_MS.
 */
const LOGIN_HOLD_MS = 5000;

const WRONG_CREDENTIALS = "wrong username or password";

/** A BusyError from the hash gate as its answer; anything else goes on up. */
function busyAnswer(err: unknown): Answer {
  if (err instanceof BusyError) return busyRefusal(BUSY);
  throw err;
}

interface FrontDoorParts {
  config: RealmsConfig;
  loginNode: string;
  accounts: AccountStore;
  counters: FailureCounters;
  sessions: SessionIssuer;
  queue: LoginQueue;
  realms: RealmLink;
  audit: LoginAudit;
  log: Log;
}

/** `clients`: every client node, where a player may resume when its own one dies. */
function placedBody(p: Placed, clients: string[]): object {
  return { session: p.session, realm: p.realm, client: p.client, clients, expiresAt: p.expiresAt.toISOString() };
}

export class FrontDoor {
  private readonly gate = new HashGate({ parallel: availableParallelism(), maxWaiting: MAX_WAITING, maxWaitMs: MAX_HASH_WAIT_MS });
  private realmList: { at: number; answer: Promise<Answer> } | undefined;
  /** For the heartbeat: what this node did since it started. */
  readonly counts = { logins: 0, refused: 0, queued: 0 };

  constructor(private readonly p: FrontDoorParts) {}

  /** For the heartbeat: hashes running or waiting, and logins answered busy. */
  get hashing(): { hashing: number; busy: number } {
    return { hashing: this.gate.inFlight, busy: this.gate.refused };
  }

  private async checkPassword(password: string, account: Account | undefined): Promise<boolean> {
    const ok = await this.gate.run(() => verifyPassword(password, account?.secret ?? UNKNOWN_ACCOUNT_SECRET));
    return ok && account !== undefined;
  }

  async login(ip: string, req: { username: string; password: string; realm: string }): Promise<Answer> {
    const { accounts, counters, audit } = this.p;
    if (!this.p.realms.realm(req.realm)) return refuse(404, `no realm named ${JSON.stringify(req.realm)} (GET /realms lists them)`);
    const nameProblem = accountNameProblem(req.username);
    if (nameProblem) return refuse(400, nameProblem);
    // refused before any query: under a login storm the database is as busy as the hashes
    if (this.gate.turnsAway()) return busyRefusal(BUSY);
    const key = nameKey(req.username);
    const wait = await counters.lockedFor([
      { scope: "ip", key: ip },
      { scope: "account", key },
    ]);
    if (wait > 0) {
      audit.record(ip, req.username, "locked-out", undefined, req.realm);
      this.counts.refused++;
      return refuse(429, `too many failed logins; try again in ${wait} s`, { "retry-after": String(wait) });
    }
    const account = await accounts.find(req.username);
    // unknown names are hashed too (against a dummy): same time, same answer as a wrong password
    let passed: boolean;
    try {
      passed = await this.checkPassword(req.password, account);
    } catch (err) {
      return busyAnswer(err);
    }
    if (!passed || !account) {
      await counters.count("ip", ip);
      await counters.count("account", key);
      audit.record(ip, req.username, "bad-credentials", account?.id, req.realm);
      this.counts.refused++;
      return refuse(401, WRONG_CREDENTIALS);
    }
    await counters.clear("account", key);
    if (account.banned) {
      audit.record(ip, req.username, "banned", account.id, req.realm);
      this.counts.refused++;
      return refuse(403, "this account is banned; contact the operators");
    }
    return this.admit(ip, account, req.realm);
  }

  /**
   * Places the player now, or queues them behind the players already waiting; while the realm
   * node restarts, waits for it (the request held, then the queue's wait answer).
   */
  private async admit(ip: string, account: { id: string; name: string }, realm: string, ticket?: { id: string; secret: string }): Promise<Answer> {
    const { queue, audit, realms } = this.p;
    const waiting = ticket?.id ?? (await queue.waitingOf(account.id, realm));
    const keepFree = await queue.ahead(realm, waiting);
    let issued: Issued;
    try {
      issued = await this.issueWhenRealmAnswers(account, realm, keepFree, waiting);
    } catch (err) {
      if (!(err instanceof RealmDownError)) throw err;
      const silentMs = realms.silentFor(realm);
      if (silentMs < REALM_WAIT_MS) return this.queued(ip, account, realm, ticket, "realm-restarting");
      audit.record(ip, account.name, "realm-down", account.id, realm);
      return refuse(503, `realm ${realm} has not answered for ${Math.round(silentMs / 1000)} s: it is down; try again later`, { "retry-after": "30" });
    }
    switch (issued.kind) {
      case "placed":
        audit.record(ip, account.name, "admitted", account.id, realm);
        this.counts.logins++;
        this.p.log.info("login", { accountId: account.id, realm, clientNode: issued.clientNode, fromQueue: waiting !== undefined });
        return { status: 200, body: placedBody(issued, this.p.config.clientNodes.map(clientNodeUrl)) };
      case "no-client-node":
        audit.record(ip, account.name, "no-client-node", account.id, realm);
        return refuse(503, `no client node of realm ${realm} is up; try again shortly`, { "retry-after": "2" });
      case "ticket-used":
        return refuse(410, "this ticket was already admitted; log in again");
      case "full":
        return this.queued(ip, account, realm, ticket);
    }
  }

  /**
   * Issues the session. A realm node that is not answering is waited for, holding the request up
   * to LOGIN_HOLD_MS (no transaction is open meanwhile); one silent for longer than REALM_WAIT_MS
   * is down, and the login is answered at once.
   */
  private async issueWhenRealmAnswers(account: { id: string; name: string }, realm: string, keepFree: number, waiting: string | undefined): Promise<Issued> {
    const { realms, sessions } = this.p;
    const holdUntil = Date.now() + (realms.silentFor(realm) < REALM_WAIT_MS ? LOGIN_HOLD_MS : 0);
    for (;;) {
      if (!(await realms.answering(realm, holdUntil))) throw new RealmDownError(realm);
      try {
        return await sessions.issue(account, realm, keepFree, waiting);
      } catch (err) {
        if (!(err instanceof RealmDownError) || Date.now() >= holdUntil) throw err;
      }
    }
  }

  /** The queue's wait answer: a full realm, or (with `reason`) a realm node restarting. */
  private async queued(ip: string, account: { id: string; name: string }, realm: string, ticket?: { id: string; secret: string }, reason?: "realm-restarting"): Promise<Answer> {
    const { queue, audit } = this.p;
    // a polled ticket keeps its secret; a login gets a fresh one (keeping its place if it had one)
    let held = ticket;
    if (!held) {
      const fresh = await queue.enqueue(account.id, realm);
      held = { id: fresh.id, secret: fresh.ticket };
    }
    const place = await queue.place(realm, held.id);
    if (!ticket) {
      audit.record(ip, account.name, "queued", account.id, realm);
      this.counts.queued++;
    }
    if (!reason) return { status: 202, body: { queue: place, ticket: held.secret } };
    return { status: 202, body: { queue: place, ticket: held.secret, reason }, headers: { "retry-after": "2" } };
  }

  async pollQueue(ip: string, secret: string): Promise<Answer> {
    if (!HANDLE_FORMAT.test(secret)) return refuse(400, "a ticket is 43 characters of base64url, as the login answer gave it");
    const { queue } = this.p;
    const ticket = await queue.find(secret);
    if (!ticket) return refuse(404, "no such ticket; log in again");
    if (ticket.state === "admitted") return refuse(410, "this ticket was already admitted; log in again");
    if (ticket.state === "abandoned" || ticket.stale) {
      await queue.abandon(ticket.id);
      return refuse(410, "this ticket expired (not polled for a minute); log in again");
    }
    if (ticket.banned) return refuse(403, "this account is banned; contact the operators");
    await queue.touch(ticket.id);
    return this.admit(ip, { id: ticket.accountId, name: ticket.accountName }, ticket.realm, { id: ticket.id, secret });
  }

  async logout(ip: string, session: string): Promise<Answer> {
    if (!HANDLE_FORMAT.test(session)) return refuse(400, "a session handle is 43 characters of base64url, as the login answer gave it");
    if (!(await this.p.sessions.end(session, "logout"))) return refuse(404, "no live session with this handle");
    this.p.audit.record(ip, "-", "logout");
    return { status: 200, body: { ended: true } };
  }

  async register(ip: string, req: { username: string; password: string }): Promise<Answer> {
    if (!this.p.config.login.register) return refuse(403, "registration is off on this server; ask an operator for an account");
    const problem = accountNameProblem(req.username) ?? passwordProblem(req.password);
    if (problem) return refuse(400, problem);
    if (this.gate.turnsAway()) return busyRefusal(BUSY);
    const wait = await this.p.counters.lockedFor([{ scope: "register", key: ip }]);
    if (wait > 0) return refuse(429, `too many registrations from this address; try again in ${wait} s`, { "retry-after": String(wait) });
    await this.p.counters.count("register", ip);
    try {
      const account = await this.gate.run(() => this.p.accounts.create(req.username, req.password, `register ${ip}`));
      this.p.audit.record(ip, req.username, "registered", account.id);
      return { status: 201, body: { account: account.name } };
    } catch (err) {
      if (err instanceof AccountTakenError) return refuse(409, "that name is taken");
      return busyAnswer(err);
    }
  }

  /** Every realm: up, full (at its cap or players queued) or down (its realm node did not answer). */
  realms(): Promise<Answer> {
    const now = Date.now();
    if (this.realmList && now - this.realmList.at < REALM_LIST_MS) return this.realmList.answer;
    const answer = Promise.all(
      this.p.config.realms.map(async (r) => {
        const [status, queued] = await Promise.all([this.p.realms.status(r.name), this.p.queue.ahead(r.name)]);
        if (!status || status.clientNodes === 0) return { name: r.name, status: "down", population: status?.population ?? null, cap: r.playerCap, queue: queued };
        const full = status.population >= status.cap || queued > 0;
        return { name: r.name, status: full ? "full" : "up", population: status.population, cap: status.cap, queue: queued };
      }),
    ).then((realms) => ({ status: 200, body: { realms } }));
    this.realmList = { at: now, answer };
    // a failed list is not kept: the next request asks again
    answer.catch(() => (this.realmList = undefined));
    return answer;
  }
}
