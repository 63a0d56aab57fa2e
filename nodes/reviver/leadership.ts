// Which reviver acts: the one holding a PostgreSQL advisory lock. The lock lives as long as the
// holder's session, so a reviver that dies (even by SIGKILL) releases it when its socket closes.
import pg from "pg";
import type { Log } from "../../common/log.ts";

const LEADER_LOCK = 0x7265616c6d02n;
const TRY_EVERY_MS = 500;

export class Leadership {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  leader = false;

  constructor(
    private readonly url: string,
    private readonly log: Log,
    private readonly onChange: (leader: boolean) => void,
  ) {}

  start(): void {
    void this.attempt();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK.toString()]);
      if (rows[0]?.ok && !this.leader) this.set(true);
    } catch (err) {
      this.log.warn("leadership-check-failed", { error: (err as Error).message });
      this.lost();
    }
    if (!this.leader && !this.closed) this.timer = setTimeout(() => void this.attempt(), TRY_EVERY_MS);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
    // losing the session means losing the lock: stop acting at once, then try again
    client.on("error", (err) => {
      this.log.warn("leadership-session-lost", { error: err.message });
      this.lost();
      if (!this.closed) this.timer = setTimeout(() => void this.attempt(), TRY_EVERY_MS);
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private lost(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => {});
    if (this.leader) this.set(false);
  }

  private set(leader: boolean): void {
    this.leader = leader;
    this.log.info(leader ? "leader-elected" : "leader-lost", {});
    this.onChange(leader);
  }
}
