import net from "node:net";

/** A TCP proxy in front of a test server, so a test can cut the network between a client and it. */
export interface TcpProxy {
  /** The server's URL with the proxy's port. */
  url: string;
  port: number;
  /** Connections currently passed through. */
  open(): number;
  /** Cuts every connection (both sides see them reset) and refuses new ones until `up()`. */
  down(): void;
  up(): void;
  /** The connections open now stop passing anything, without closing (a network that hangs); new ones work. */
  freeze(): void;
  close(): Promise<void>;
}

/** Starts a proxy to the server at `target` (an http:// URL); `url` is `target` with the proxy's port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const to = new URL(target);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(Number(to.port), to.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const cut = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const cutAll = () => {
    for (const [client, upstream] of pairs) {
      // A reset, as when the network goes away, not an orderly close.
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    pairs.clear();
  };
  return {
    url: url.toString(),
    port,
    open: () => pairs.size,
    down() {
      refusing = true;
      cutAll();
    },
    up() {
      refusing = false;
    },
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
