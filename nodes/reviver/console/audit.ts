// Every console action, in PostgreSQL: who (the token and the address), what, when, and how it
// ended. Written before the answer goes out, so an action the operator saw done is on record.
import type pg from "pg";

export interface AuditEntry {
  tokenId: string;
  ip: string;
  action: string;
  target: Record<string, unknown>;
  ok: boolean;
  result: string;
}

export interface AuditRow extends AuditEntry {
  at: number;
  reviver: string;
}

export class ConsoleAudit {
  constructor(
    private readonly db: Pick<pg.Pool, "query">,
    private readonly reviver: string,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db.query("INSERT INTO console_audit (token_id, ip, reviver, action, target, ok, result) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
      e.tokenId,
      e.ip,
      this.reviver,
      e.action,
      JSON.stringify(e.target),
      e.ok,
      e.result.slice(0, 2000),
    ]);
  }

  async latest(limit = 50): Promise<AuditRow[]> {
    const { rows } = await this.db.query<{ at: Date; token_id: string; ip: string; reviver: string; action: string; target: Record<string, unknown>; ok: boolean; result: string }>(
      "SELECT at, token_id, ip, reviver, action, target, ok, result FROM console_audit ORDER BY id DESC LIMIT $1",
      [limit],
    );
    return rows.map((r) => ({ at: r.at.getTime(), tokenId: String(r.token_id), ip: r.ip, reviver: r.reviver, action: r.action, target: r.target, ok: r.ok, result: r.result }));
  }
}
