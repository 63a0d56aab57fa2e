// The chaos suite's hand: now and then it kills a node of the realm (SIGKILL), or hangs one
// (SIGSTOP, for the reviver's heartbeat watch to find), one at a time, every kind in turn in a
// shuffled order, and measures each one's time until the reviver has it up again.
import type { NodeKind } from "../../common/topology.ts";
import { until, type RealmProcess } from "../realm-process.ts";

export const KINDS: readonly NodeKind[] = ["database", "zone", "client", "realm", "login", "backup", "instance", "reviver"];
/** A pause between one node back and the next kill, ms. */
const PAUSE_MS: [number, number] = [3000, 9000];
/** Share of kills that hang the node instead. */
const HANG_SHARE = 0.2;
const RECOVERY_DEADLINE_MS = 60_000;

export interface KillRecord {
  node: string;
  kind: NodeKind;
  signal: "SIGKILL" | "SIGSTOP";
  at: number;
  /** From the signal to the node up again (a new process heartbeating); absent if it never came back. */
  recoveredMs: number | undefined;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export class Killer {
  readonly kills: KillRecord[] = [];
  private stopped = false;

  constructor(
    private readonly realm: RealmProcess,
    private readonly random: () => number,
    private readonly say: (line: string) => void,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Kills until `forMs` has passed (or stop()); resolves once the last victim is back. */
  async run(forMs: number): Promise<void> {
    const end = Date.now() + forMs;
    let order: NodeKind[] = [];
    while (!this.stopped) {
      const [lo, hi] = PAUSE_MS;
      await new Promise((r) => setTimeout(r, Math.min(lo + this.random() * (hi - lo), Math.max(0, end - Date.now()))));
      if (this.stopped || Date.now() >= end) return;
      if (order.length === 0) order = shuffled(KINDS, this.random);
      await this.strike(order.shift()!);
    }
  }

  private async strike(kind: NodeKind): Promise<void> {
    const status = await this.realm.status(1000);
    const up = (status?.nodes ?? []).filter((n) => n.kind === kind && n.state === "up" && n.pid !== undefined);
    const victim = up[Math.floor(this.random() * up.length)];
    if (!victim?.pid) return this.say(`no ${kind} node up to kill`);
    const signal = kind !== "reviver" && this.random() < HANG_SHARE ? "SIGSTOP" : "SIGKILL";
    const pid = victim.pid;
    const at = Date.now();
    try {
      process.kill(pid, signal);
    } catch {
      return this.say(`${victim.id} (pid ${pid}) was already gone`);
    }
    const record: KillRecord = { node: victim.id, kind, signal, at, recoveredMs: undefined };
    this.kills.push(record);
    record.recoveredMs = await until(`${victim.id} back`, RECOVERY_DEADLINE_MS, async () => {
      const n = (await this.realm.status(500))?.nodes.find((x) => x.id === victim.id);
      return n?.state === "up" && n.pid !== undefined && n.pid !== pid ? Date.now() - at : undefined;
    }).catch(() => undefined);
    this.say(`${signal === "SIGKILL" ? "killed" : "hung"} ${victim.id}: ${record.recoveredMs === undefined ? "NOT back" : `back in ${(record.recoveredMs / 1000).toFixed(1)} s`}`);
  }
}
