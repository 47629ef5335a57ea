import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SetupError } from '../errors.js';
import { replyText } from '../http-text.js';
import type { Logger } from '../log.js';
import type { Route } from '../ports.js';
import { READY_PATH } from './operator.js';

export const HEALTH_PATH = '/healthz';

/** The process's one HTTP server: every receiver's routes (and later the console's) on one port. */
export interface HttpServer {
  /** The port it listens on, once listening (0 asks the system for a free one). */
  readonly port: number | undefined;
  /** Every path it serves (a prefix route's by its path), `/healthz` included: what `listening` logs. */
  readonly paths: readonly string[];
  listen(port: number, host?: string): Promise<number>;
  /**
   * Starts stopping while still listening: `/healthz` answers 200 `stopping`, `/readyz` 503
   * `stopping`, the other routes as before (a receiver that is stopping answers 503 itself), and
   * every connection is closed after its answer (`Connection: close`), so balancers stop routing
   * here and keep-alive connections do not outlive the shutdown.
   */
  drain(): void;
  /**
   * Drains, stops listening (new connections are refused), closes idle connections, lets the
   * requests in progress finish for up to `graceMs` (ms; 1000 by default), then ends their
   * connections and resolves.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Builds the server from the routes it mounts, by exact path (no query string), or for a prefix
 * route its path and every path under it (`/console`, `/console/tickets`; not `/consoles`), plus
 * `/healthz` for load balancers; anything else is 404. An exact route wins over a prefix route.
 * Two routes on one path are a wiring mistake, caught here rather than by a request that reaches
 * the wrong handler.
 */
export function createHttpServer(options: { routes: readonly Route[]; log: Logger }): HttpServer {
  const routes = new Map<string, Route>();
  const prefixes: Route[] = [];
  for (const route of options.routes) {
    if (route.path === HEALTH_PATH || routes.has(route.path) || prefixes.some((p) => p.path === route.path))
      throw new SetupError(`Two HTTP routes claim ${route.path}; each path needs exactly one handler.`);
    if (route.prefix) prefixes.push(route);
    else routes.set(route.path, route);
  }
  const find = (path: string) =>
    routes.get(path) ?? prefixes.find((r) => path === r.path || path.startsWith(`${r.path}/`));
  let stopping = false;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD'))
      return replyText(res, 200, stopping ? 'stopping' : 'ok');
    // Not ready once stopping, whatever the dependencies say: the balancer sends new work elsewhere.
    if (path === READY_PATH && stopping) return replyText(res, 503, 'stopping');
    const route = find(path);
    if (!route) return replyText(res, 404, 'not found');
    try {
      route.handle(req, res);
    } catch (err) {
      options.log.error('HTTP route failed', { path, error: String(err) });
      if (!res.headersSent) replyText(res, 500, 'internal error');
    }
  };
  const server = createServer(handle);
  let closed: Promise<void> | undefined;
  const paths = [...options.routes.map((r) => r.path), HEALTH_PATH];
  return {
    paths,
    get port() {
      const addr = server.address();
      return addr && typeof addr === 'object' ? (addr as AddressInfo).port : undefined;
    },
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        const ready = () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        };
        if (host === undefined) server.listen(port, ready);
        else server.listen(port, host, ready);
      }),
    drain: () => {
      stopping = true;
    },
    close: (graceMs = 1_000) => {
      stopping = true;
      closed ??= new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        const cut = setTimeout(() => server.closeAllConnections(), graceMs).unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        // Keep-alive connections with no request in progress would hold the close open.
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
