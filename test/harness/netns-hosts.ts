// "Hosts" for a test on one machine: each a network namespace of the test's own, joined by a veth
// pair to a bridge that lives in one more namespace, so processes on different hosts talk over a
// network the test can cut (a port down is a pulled cable). The root namespace's interfaces and
// routes are never touched: the bridge has no way out, and nothing in it has a way in.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isAlive } from "../../common/launch.ts";

/** One private /24 for every run: its namespaces are the run's own, so it meets no other network. */
const SUBNET = "10.213.13";

export interface NetnsHost {
  /** The test's name for it (a, b, c). */
  name: string;
  /** Its network namespace. */
  ns: string;
  address: string;
  /** Its end of the cable, a bridge port in the bridge's namespace. */
  port: string;
}

/** Plain data, so a process started on one of the hosts can be handed it (JSON). */
export interface NetnsNetwork {
  bridgeNs: string;
  hosts: NetnsHost[];
}

function ip(args: string[]): string {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.error) throw new Error(`ip ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** Why namespaces cannot be made here (a reason to skip), or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces are Linux only";
  if (process.getuid?.() !== 0) return "making network namespaces needs root (CI runs this as root)";
  const probe = `netns${process.pid}-probe`;
  try {
    ip(["netns", "add", probe]);
  } catch (err) {
    return `cannot make a network namespace: ${(err as Error).message}`;
  }
  ip(["netns", "del", probe]);
  return undefined;
}

/** Namespaces are named `netns<pid>-<name>`, `<pid>` the test process's: unique to the run, and a dead run's are known. */
const NAME = /^netns(\d+)-/;

/**
 * Hosts `names` (addresses .1, .2, ... in order) on one bridge. First removes what runs killed before
 * their teardown left (their processes go on running otherwise).
 */
export async function makeNetwork(names: string[]): Promise<NetnsNetwork> {
  await removeLeftovers();
  const prefix = `netns${process.pid}`;
  const net: NetnsNetwork = {
    bridgeNs: `${prefix}-net`,
    hosts: names.map((name, i) => ({ name, ns: `${prefix}-${name}`, address: `${SUBNET}.${i + 1}`, port: `to-${name}` })),
  };
  const made: string[] = [];
  try {
    for (const ns of [net.bridgeNs, ...net.hosts.map((h) => h.ns)]) {
      ip(["netns", "add", ns]);
      made.push(ns);
      ip(["-n", ns, "link", "set", "lo", "up"]);
    }
    ip(["-n", net.bridgeNs, "link", "add", "br0", "type", "bridge"]);
    ip(["-n", net.bridgeNs, "link", "set", "br0", "up"]);
    for (const h of net.hosts) {
      // made inside the bridge's namespace, its peer moved straight into the host's: never in the root namespace
      ip(["-n", net.bridgeNs, "link", "add", h.port, "type", "veth", "peer", "name", "eth0", "netns", h.ns]);
      ip(["-n", net.bridgeNs, "link", "set", h.port, "master", "br0", "up"]);
      ip(["-n", h.ns, "addr", "add", `${h.address}/24`, "dev", "eth0"]);
      ip(["-n", h.ns, "link", "set", "eth0", "up"]);
    }
  } catch (err) {
    removeNamespaces(made);
    throw err;
  }
  return net;
}

/** Pulls (`false`) or plugs back (`true`) a host's cable. */
export function setLink(net: NetnsNetwork, host: NetnsHost, up: boolean): void {
  ip(["-n", net.bridgeNs, "link", "set", host.port, up ? "up" : "down"]);
}

/** The namespace `pid` runs in, by name (undefined: none of the named ones). */
export function namespaceOf(pid: number): string | undefined {
  const r = spawnSync("ip", ["netns", "identify", String(pid)], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The processes running on the hosts (and in the bridge's namespace), "pid command" each. */
export function processesOn(net: NetnsNetwork): string[] {
  return namespacesOf(net)
    .flatMap(pidsIn)
    .map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim()}`;
      } catch {
        return `${pid}`;
      }
    });
}

const namespacesOf = (net: NetnsNetwork): string[] => [...net.hosts.map((h) => h.ns), net.bridgeNs];

/** Kills every process left on the hosts and removes the namespaces (the veths and the bridge go with them). */
export function removeNetwork(net: NetnsNetwork): Promise<void> {
  return removeNamespacesAndProcesses(namespacesOf(net));
}

async function removeNamespacesAndProcesses(all: string[]): Promise<void> {
  // a reviver still alive could start a node again: kill until the namespaces stay empty
  for (let round = 0; round < 20; round++) {
    const pids = all.flatMap(pidsIn);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  removeNamespaces(all);
}

async function removeLeftovers(): Promise<void> {
  const names = ip(["netns", "list"]).split("\n").map((l) => l.split(" ")[0] ?? "");
  const dead = names.filter((ns) => {
    const pid = NAME.exec(ns)?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  if (dead.length > 0) await removeNamespacesAndProcesses(dead);
}

function pidsIn(ns: string): number[] {
  const r = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

function removeNamespaces(names: string[]): void {
  for (const ns of names) spawnSync("ip", ["netns", "del", ns]);
}
