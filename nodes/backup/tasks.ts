// Long operator tasks (snapshot, verify, restore) and how far each has got, so that the CLI can
// show progress by asking (BACKUP_TASK) instead of holding one request open for minutes.
import type { TaskProgress } from "../../common/protocol/backup.ts";

const KEEP = 200;

export class Tasks {
  private readonly tasks = new Map<string, TaskProgress>();
  private serial = 0;

  newId(kind: string, subject: number | string): string {
    return `${kind}-${subject}-${++this.serial}`;
  }

  /** Starts a task, or moves a queued one on (its earlier steps stay). */
  begin(taskId: string, phase: string): void {
    const queued = this.tasks.get(taskId);
    if (queued?.state === "running") return this.phase(taskId, phase);
    this.tasks.set(taskId, { taskId, state: "running", phase, steps: [phase] });
    while (this.tasks.size > KEEP) this.tasks.delete(this.tasks.keys().next().value!);
  }

  phase(taskId: string, phase: string, percent?: number): void {
    const t = this.tasks.get(taskId);
    if (!t || t.state !== "running") return;
    if (t.phase !== phase && t.steps.length < 50) t.steps.push(phase);
    t.phase = phase;
    if (percent === undefined) delete t.percent;
    else t.percent = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
  }

  finish(taskId: string, phase: string, result?: unknown): void {
    const steps = [...(this.tasks.get(taskId)?.steps ?? []), phase].slice(-50);
    const done: TaskProgress = { taskId, state: "done", phase, steps, percent: 100 };
    if (result !== undefined) done.result = result;
    this.tasks.set(taskId, done);
  }

  fail(taskId: string, error: string): void {
    const t = this.tasks.get(taskId);
    this.tasks.set(taskId, { taskId, state: "failed", phase: t?.phase ?? "starting", steps: t?.steps ?? [], error: error.slice(0, 1000) });
  }

  get(taskId: string): TaskProgress | undefined {
    return this.tasks.get(taskId);
  }
}
