// Messages whose answer depends on the directory (sessions, kicks, population, characters, zone
// restores) wait while a starting realm node rebuilds it, then run in the order they came: a
// login or a kick a second late is better than one answered from an empty directory.
import { errorFields } from "../../common/log.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { opName, type OpCode } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";

/** Messages held at most: a flood while rebuilding must not eat the node's memory (logins retry). */
const MAX_HELD = 50_000;

export class DirectoryGate {
  private held: { op: OpCode; from: string; run: () => void }[] | undefined = [];
  private dropped = 0;

  constructor(private readonly rt: NodeRuntime) {}

  get isOpen(): boolean {
    return this.held === undefined;
  }

  /** Like rt.on, but held while the directory is rebuilt. */
  on<O extends OpCode>(op: O, handler: (body: Body<O>, from: string) => void): void {
    this.rt.on(op, (body, from) => {
      if (this.held === undefined) return handler(body, from);
      if (this.held.length >= MAX_HELD) {
        // one line per power of two, like dropped sends
        if ((++this.dropped & (this.dropped - 1)) === 0) this.rt.log.warn("held-message-dropped", { op: opName(op), from, dropped: this.dropped });
        return;
      }
      this.held.push({ op, from, run: () => handler(body, from) });
    });
  }

  /** The directory is rebuilt: what waited runs now, in order; from now on nothing waits. */
  open(): number {
    const held = this.held ?? [];
    this.held = undefined;
    for (const m of held) {
      try {
        m.run();
      } catch (err) {
        this.rt.log.error("handler-failed", { from: m.from, op: opName(m.op), ...errorFields(err) });
      }
    }
    return held.length;
  }
}
