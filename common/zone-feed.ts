// SUB sockets on a realm's zone PUBs, one per zone: on a CURVE mesh each socket checks its own
// zone's key (libzmq takes the server key at connect, and zeromq.js warns on options set after
// one), and a cell's subscription goes to the one zone that publishes it.
import * as zmq from "zeromq";
import type { MeshIdentity } from "./mesh/mesh-identity.ts";

/** Called for every message: the zone it came from, its topic and its block. */
type BlockHandler = (zone: string, topic: Buffer, block: Buffer) => void;

/**
 * Subscriptions travel to the publisher as messages under the SUB's send high-water mark (1,000
 * by default), and libzmq drops those past it without a word: when the zone restarts and the SUB
 * replays every subscription at once, a client node wanting more than 1,000 of its cells lost
 * the rest. zeromq.js types no send option on a Subscriber, so the option (ZMQ_SNDHWM, 23) is set
 * through the native setter; 0 is no limit.
 */
function unlimitSubscriptions(sub: zmq.Subscriber): void {
  (sub as unknown as { setInt32Option(option: number, value: number): void }).setInt32Option(ZMQ_SNDHWM, 0);
}

const ZMQ_SNDHWM = 23;

export class ZoneFeed {
  private readonly subs = new Map<string, zmq.Subscriber>();
  private readonly loops: Promise<void>[] = [];

  constructor(zones: readonly { id: string; pub: string }[], mesh: MeshIdentity | undefined, receiveHighWaterMark: number) {
    for (const z of zones) {
      // a node that is down is asked again less and less often, up to once a second, as the wire's
      // DEALERs do; no maxMessageSize, as on those (common/wire.ts): past it libzmq would never reconnect
      const sub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark, reconnectInterval: 100, reconnectMaxInterval: 1000, ...mesh?.clientOptions(z.id) });
      unlimitSubscriptions(sub);
      sub.connect(z.pub);
      this.subs.set(z.id, sub);
    }
  }

  /** Topics are prefixes: `<zone>/` is all of that zone's cells. An unknown zone is ignored. */
  subscribe(zone: string, topic: string): void {
    this.subs.get(zone)?.subscribe(topic);
  }

  unsubscribe(zone: string, topic: string): void {
    this.subs.get(zone)?.unsubscribe(topic);
  }

  /** Starts reading; `onError` hears a socket that failed while open (a closed one just ends). */
  start(onBlock: BlockHandler, onError: (zone: string, err: Error) => void = () => {}): void {
    for (const [zone, sub] of this.subs) {
      this.loops.push(
        (async () => {
          try {
            for await (const [topic, block] of sub) if (topic && block) onBlock(zone, topic, block);
          } catch (err) {
            if (!sub.closed) onError(zone, err as Error);
          }
        })(),
      );
    }
  }

  async close(): Promise<void> {
    for (const sub of this.subs.values()) sub.close();
    await Promise.all(this.loops);
  }
}
