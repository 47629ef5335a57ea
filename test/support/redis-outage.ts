import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A real Redis that can go away and come back, as one does while it restarts: a TCP relay in
 * front of it, on its own port. `down()` drops every connection and refuses new ones (clients see
 * ECONNRESET, then ECONNREFUSED); `up()` listens again on the same port. The data stays in the
 * Redis behind it, as it does across a restart with persistence.
 */
export interface RedisOutage {
  /** redis://127.0.0.1:<relay port> */
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function redisWithOutages(target: string): Promise<RedisOutage> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const relay = (client: Socket) => {
    const upstream = connect(Number(port || 6379), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server: Server = createServer(relay);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const relayPort = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `redis://127.0.0.1:${relayPort}`,
    down: stop,
    up: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer(relay);
        server.once('error', reject);
        server.listen(relayPort, '127.0.0.1', () => resolve());
      }),
    close: stop,
  };
}
