// A TCP proxy that adds latency: every chunk, each way, is passed on `delayMs` after it arrived
// (in order, since the delay is the same for all), so a WebSocket through it behaves as over a
// long network path. Listens on a free loopback port; teardown closes it and every connection.
import net, { type AddressInfo } from "node:net";

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

export class LatencyProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  port = 0;

  private constructor(
    private readonly target: () => { host: string; port: number },
    private readonly delayMs: number,
  ) {
    this.server = net.createServer((inbound) => this.connect(inbound));
  }

  /** `target` is asked at each connection, so the proxy can be started before what it fronts. */
  static async start(t: Teardown, target: () => { host: string; port: number }, delayMs: number): Promise<LatencyProxy> {
    const proxy = new LatencyProxy(target, delayMs);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(0, "127.0.0.1", () => resolve());
    });
    proxy.port = (proxy.server.address() as AddressInfo).port;
    t.teardown(() => proxy.close());
    return proxy;
  }

  private connect(inbound: net.Socket): void {
    const { host, port } = this.target();
    const outbound = net.connect(port, host);
    for (const s of [inbound, outbound]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      // a reset on one side ends the other (below), as on a real path
      s.on("error", () => undefined);
    }
    this.pipe(inbound, outbound);
    this.pipe(outbound, inbound);
  }

  private pipe(from: net.Socket, to: net.Socket): void {
    const later = (fn: () => void) => setTimeout(fn, this.delayMs);
    from.on("data", (chunk) => later(() => to.writable && to.write(chunk)));
    from.on("end", () => later(() => to.end()));
    from.on("close", () => later(() => to.destroy()));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
