// What every row of the peer bench must show, whatever its size: both sides measured over every
// round, the same players seen, no move refused, and no server process left behind.
import type tap from "tap";
import { isAlive } from "../../common/launch.ts";
import type { PeerRow } from "../../ops/bench/peer-bench.ts";

type Asserts = Pick<typeof tap, "equal" | "ok" | "same">;

export function checkPeerRows(t: Asserts, rows: readonly PeerRow[], players: number, rounds: number): void {
  for (const r of rows) {
    t.equal(r.ours.length, rounds, `${rounds} rounds of ours`);
    t.equal(r.colyseus.length, rounds, `${rounds} rounds of Colyseus`);
    const sides = [...r.ours.map((f) => ["ours", f] as const), ...r.colyseus.map((f) => ["Colyseus", f] as const)];
    for (const [side, f] of sides) {
      const what = `${side}, ${r.scenario}${r.zones === 1 ? ", one zone" : ""}`;
      t.ok(f.bytesPerPlayerPerSecond > 0, `${what}: bytes per player per second (${f.bytesPerPlayerPerSecond.toFixed(0)})`);
      t.ok(f.cpuMsPerPlayerPerSecond > 0, `${what}: CPU ms per player per second (${f.cpuMsPerPlayerPerSecond.toFixed(2)})`);
      t.equal(f.refused, 0, `${what}: no move of the walk refused`);
      const processes = side === "Colyseus" ? 1 : r.zones === 1 ? 2 : 3;
      t.equal(f.pids.length, processes, `${what}: ${processes} server processes measured`);
      t.same(f.pids.filter(isAlive), [], `${what}: every server process is gone`);
      // one cell: everyone within vision of everyone; spread: at least oneself
      if (r.scenario === "clumped") t.equal(f.visible, players, `${what}: every player sees all ${players}`);
      else t.ok(f.visible >= 1, `${what}: every player sees itself`);
    }
  }
}
