// `realm account create|passwd|ban|unban|list`: the operator's hand on the accounts in
// PostgreSQL (DATABASE_URL, or the embedded server a running `realm start` wrote down).
import pg from "pg";
import { AccountStore, accountNameProblem } from "../common/accounts/accounts.ts";
import { passwordProblem } from "../common/accounts/passwords.ts";
import { UsageError } from "../common/errors.ts";
import { createLog } from "../common/log.ts";
import { Op } from "../common/opcodes.ts";
import { createPool, migrate } from "../common/postgres/connect.ts";
import { Wire } from "../common/wire.ts";
import type { RealmsConfig } from "../config/model.ts";
import { configFrom, dataDirOf, options, type Command } from "./command.ts";
import { postgresUrl } from "./embedded-postgres.ts";

/** Reads everything piped in and keeps the first line: `echo "$PW" | realm account create Arthur`. */
async function pipedLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/** Asks on the terminal with echo off: nothing typed shows, not even as stars. */
function typedSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readNewPassword(): Promise<string> {
  let password: string;
  if (process.stdin.isTTY) {
    password = await typedSecret("password: ");
    if ((await typedSecret("again: ")) !== password) throw new UsageError("the two passwords differ");
  } else {
    password = await pipedLine();
  }
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(password === "" ? "no password: type it when asked, or pipe it in on stdin" : problem);
  return password;
}

/** Tells the realm nodes holding the account's ended sessions to free the places and kick the players. */
async function kickFromRealms(config: RealmsConfig, accountId: string, ended: { realm: string; handleHash: string }[], reason: string): Promise<string[]> {
  if (ended.length === 0) return [];
  const wire = new Wire(`ops-${process.pid}`, createLog("realm-account", "error"), (id) => config.realms.find((r) => r.realmNode.id === id)?.realmNode.inbox, () => {});
  try {
    return await Promise.all(
      ended.map(async (s) => {
        const node = config.realms.find((r) => r.name === s.realm)?.realmNode.id;
        if (!node) return `${s.realm}: not in this config`;
        try {
          const answer = await wire.request(node, Op.SESSION_END, { accountId, sessionHash: s.handleHash, reason }, 2000);
          return `${s.realm}: ${(answer.body as { ended: boolean }).ended ? "player kicked" : "no player online"}`;
        } catch {
          return `${s.realm}: realm node not answering (the session is ended; the place frees when it expires)`;
        }
      }),
    );
  } finally {
    await wire.close();
  }
}

const USAGE = [
  "account create <name> [--config F]   new account; the password is read from stdin (no echo on a terminal)",
  "account passwd <name> [--config F]   new password (stdin), ends the live session",
  "account ban <name> [--reason R]      refuse logins and kick the player",
  "account unban <name>                 lift the ban",
  "account list [--json]                every account",
];

export const account: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = options(argv, { reason: { type: "string" }, json: { type: "boolean" } });
    const [action, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
    if (action === undefined) throw new UsageError("account needs an action: create, passwd, ban, unban or list");
    if (action !== "list") {
      if (name === undefined) throw new UsageError(`account ${action} needs an account name`);
      if (action === "create") {
        const problem = accountNameProblem(name);
        if (problem) throw new UsageError(problem);
      }
    }
    if (!["create", "passwd", "ban", "unban", "list"].includes(action)) throw new UsageError(`no account action "${action}"`);
    const config = configFrom(values);
    // find PostgreSQL before asking for a password that could not be stored
    const url = postgresUrl(dataDirOf(config, values.data));
    const password = action === "create" || action === "passwd" ? await readNewPassword() : undefined;
    const pool: pg.Pool = createPool(url, 2);
    try {
      await migrate(pool);
      const accounts = new AccountStore(pool);
      const who = name ?? "";
      switch (action) {
        case "create": {
          const created = await accounts.create(who, password ?? "", "cli");
          console.log(`account ${created.name} created (id ${created.id})`);
          break;
        }
        case "passwd": {
          const id = await accounts.setPassword(who, password ?? "");
          const kicked = await kickFromRealms(config, id, await accounts.endLiveSessions(id, "password changed"), "password changed");
          console.log([`password of ${who} changed`, ...kicked].join("\n"));
          break;
        }
        case "ban": {
          const reason = values.reason ?? "banned by an operator";
          const { id, added } = await accounts.ban(who, reason);
          const kicked = await kickFromRealms(config, id, await accounts.endLiveSessions(id, `banned: ${reason}`), `banned: ${reason}`);
          console.log([added ? `${who} banned (${reason})` : `${who} was already banned`, ...kicked].join("\n"));
          break;
        }
        case "unban": {
          const { lifted } = await accounts.unban(who);
          console.log(lifted ? `${who} unbanned` : `${who} was not banned`);
          break;
        }
        case "list": {
          const all = await accounts.list();
          if (values.json) console.log(JSON.stringify(all));
          else {
            const rows = all.map((a) => [a.id, a.name, a.createdAt.toISOString().slice(0, 19) + "Z", a.createdBy, a.banned ? `banned: ${a.banReason}` : "", a.scrypt]);
            const head = ["ID", "NAME", "CREATED", "BY", "BANNED", "SCRYPT"];
            const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
            for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd());
          }
          break;
        }
      }
      return 0;
    } finally {
      await pool.end();
    }
  },
};
