// Several simulated client nodes at once, each a process of its own with its own sink: how the
// fanout spreads over the cores when a host runs more than one client node and the realm node
// places players across them. Every node connects its players first; then all start together.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const TSX = import.meta.resolve("tsx");
const MAIN = fileURLToPath(new URL("./client-node-main.ts", import.meta.url));

export interface NodeTicks {
  p50: number;
  p99: number;
  /** The node process's CPU over its ticks, as a share of one core. */
  cpuShare: number;
}

function start(players: number, ticks: number): { child: ChildProcess; ready: Promise<void>; done: Promise<NodeTicks> } {
  const child = spawn(process.execPath, ["--import", TSX, MAIN, String(players), String(ticks)], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n")) signalReady();
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<NodeTicks>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as NodeTicks);
      else reject(new Error(`client node process exited ${code}: ${err.trim().slice(-500)}`));
    });
  });
  // a node that dies while connecting must not leave the others waiting for its `ready`
  void done.catch(() => signalReady());
  return { child, ready, done };
}

/** `players` split evenly over `nodes` processes ticking at once; each node's figures. */
export async function clientNodes(players: number, nodes: number, ticks: number): Promise<NodeTicks[]> {
  const started = Array.from({ length: nodes }, () => start(Math.ceil(players / nodes), ticks));
  try {
    await Promise.all(started.map((s) => s.ready));
    for (const s of started) s.child.stdin!.write("go\n");
    return await Promise.all(started.map((s) => s.done));
  } finally {
    for (const s of started) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  }
}
