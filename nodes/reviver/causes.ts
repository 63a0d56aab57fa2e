// Why the reviver found a node down, in the exact words kept with each restart: tools match them
// (`realm status --json`), so each has one fixed shape.

export function exitCause(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code ?? "unknown"}`;
}

export function missedHeartbeats(timeoutMs: number): string {
  return `missed heartbeats (${timeoutMs / 1000} s)`;
}

/** A node that kept wanting a CPU and barely got one (nodes/reviver/silence.ts), for too long. */
export function starvedTooLong(timeoutMs: number): string {
  return `missed heartbeats (${timeoutMs / 1000} s) while starved of CPU`;
}

export function noHeartbeatAfterStart(deadlineMs: number): string {
  return `no heartbeat within ${deadlineMs / 1000} s of start`;
}

/** A node adopted from an earlier leader is not our child: its exit status never reaches us. */
export function processGone(pid: number): string {
  return `process gone (pid ${pid})`;
}
