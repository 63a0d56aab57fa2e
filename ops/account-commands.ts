// `realm account create|passwd|kick|ban|unban|list`: the operator's hand on the accounts in
// PostgreSQL (DATABASE_URL, or the embedded server a running `realm start` wrote down).
import pg from "pg";
import { AccountStore, accountNameProblem } from "../common/accounts/accounts.ts";
import { passwordProblem } from "../common/accounts/passwords.ts";
import { UsageError } from "../common/errors.ts";
import { createLog } from "../common/log.ts";
import { banPlayer, kickFromRealms, kickPlayer } from "../common/operator/player-desk.ts";
import { createPool, migrate } from "../common/postgres/connect.ts";
import { realmWire } from "../common/mesh/realm-mesh.ts";
import type { Wire } from "../common/wire.ts";
import type { RealmsConfig } from "../common/topology.ts";
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

/** A wire to the realm nodes, for the kicks a change of password or a ban brings. */
function kickWire(config: RealmsConfig): Wire {
  return realmWire(config, `ops-${process.pid}`, createLog("realm-account", "error"));
}

const USAGE = [
  "account create <name> [--config F]   new account; the password is read from stdin (no echo on a terminal)",
  "account passwd <name> [--config F]   new password (stdin), ends the live session",
  "account kick <name> [--reason R]     end the player's session and close its connection",
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
    if (action === undefined) throw new UsageError("account needs an action: create, passwd, kick, ban, unban or list");
    if (action !== "list") {
      if (name === undefined) throw new UsageError(`account ${action} needs an account name`);
      if (action === "create") {
        const problem = accountNameProblem(name);
        if (problem) throw new UsageError(problem);
      }
    }
    if (!["create", "passwd", "kick", "ban", "unban", "list"].includes(action)) throw new UsageError(`no account action "${action}"`);
    const config = configFrom(values);
    // find PostgreSQL before asking for a password that could not be stored
    const url = postgresUrl(dataDirOf(config, values.data));
    const password = action === "create" || action === "passwd" ? await readNewPassword() : undefined;
    const pool: pg.Pool = createPool(url, 2);
    const wire = kickWire(config);
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
          const kicked = await kickFromRealms(wire, config, id, await accounts.endLiveSessions(id, "password changed"), "password changed");
          console.log([`password of ${who} changed`, ...kicked].join("\n"));
          break;
        }
        case "kick": {
          console.log((await kickPlayer(accounts, wire, config, who, values.reason ?? "kicked by an operator")).join("\n"));
          break;
        }
        case "ban": {
          console.log((await banPlayer(accounts, wire, config, who, values.reason ?? "banned by an operator")).join("\n"));
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
      await wire.close();
      await pool.end();
    }
  },
};
