// The node side of common/json-fetch.ts: requests through a pool of connections of one's own,
// for a cap on sockets or a CA to trust (a self-signed test certificate). Node's built-in fetch
// takes neither per request, and an Agent of the undici package is sure to fit only that
// package's own fetch, not the copy bundled in node: so both come from the package.
import { Agent, fetch } from "undici";
import type { Transport } from "./json-fetch.ts";

interface FetchPool {
  transport: Transport;
  /** Ends the pool's connections, in flight or idle. */
  destroy(): Promise<void>;
}

export function fetchPool(options: Agent.Options): FetchPool {
  const agent = new Agent(options);
  return {
    transport: (url, init) => fetch(url, { ...init, dispatcher: agent }),
    destroy: () => agent.destroy(),
  };
}
