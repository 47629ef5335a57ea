import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../bots/app/http.js';
import { operatorRoutes } from '../../../bots/app/operator.js';
import { SetupError } from '../../../bots/errors.js';
import { memoryLogger } from '../../../bots/log.js';
import { Metrics } from '../../../bots/metrics.js';
import type { Route } from '../../../bots/ports.js';

const open: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const route = (path: string, body: string): Route => ({
  path,
  handle: (_req, res) => void res.writeHead(200).end(body),
});

describe("the app's one HTTP server", () => {
  it('routes by exact path (ignoring the query), answers /healthz, and 404 otherwise', async () => {
    const http = createHttpServer({ routes: [route('/a', 'A'), route('/b', 'B')], log: memoryLogger() });
    open.push(http);
    const port = await http.listen(0, '127.0.0.1');
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return [res.status, await res.text()];
    };
    expect(await get('/a?x=1')).toEqual([200, 'A']);
    expect(await get('/b')).toEqual([200, 'B']);
    expect(await get('/healthz')).toEqual([200, 'ok']);
    expect(await get('/a/more')).toEqual([404, 'not found']);
    // What it serves, for the `listening` line: its routes and /healthz.
    expect(http.paths).toEqual(['/a', '/b', '/healthz']);
  });

  it('serves a prefix route on its path and every path under it, after the exact routes', async () => {
    const app: Route = { path: '/console', prefix: true, handle: (req, res) => void res.writeHead(200).end(req.url) };
    const http = createHttpServer({ routes: [route('/console/exact', 'E'), app], log: memoryLogger() });
    open.push(http);
    const port = await http.listen(0, '127.0.0.1');
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return [res.status, await res.text()];
    };
    expect(await get('/console')).toEqual([200, '/console']);
    expect(await get('/console/tickets?id=1')).toEqual([200, '/console/tickets?id=1']);
    expect(await get('/console/exact')).toEqual([200, 'E']);
    expect(await get('/consoles')).toEqual([404, 'not found']);
    expect(await get('/healthz')).toEqual([200, 'ok']);
    expect(() => createHttpServer({ routes: [app, route('/console', 'again')], log: memoryLogger() })).toThrow(
      SetupError,
    );
  });

  it('answers 500 when a route throws, and keeps serving', async () => {
    const log = memoryLogger();
    const http = createHttpServer({
      routes: [
        {
          path: '/boom',
          handle: () => {
            throw new Error('bug');
          },
        },
      ],
      log,
    });
    open.push(http);
    const port = await http.listen(0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/boom`)).status).toBe(500);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('refuses two routes on one path, or one on /healthz, when it is built', () => {
    expect(() => createHttpServer({ routes: [route('/a', 'A'), route('/a', 'again')], log: memoryLogger() })).toThrow(
      SetupError,
    );
    expect(() => createHttpServer({ routes: [route('/healthz', 'mine')], log: memoryLogger() })).toThrow(/\/healthz/);
  });

  it('stops listening on close, and closing twice is harmless', async () => {
    const http = createHttpServer({ routes: [], log: memoryLogger() });
    const port = await http.listen(0, '127.0.0.1');
    await Promise.all([http.close(), http.close()]);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('answers /readyz 503 once it is stopping, to a request on a connection still open', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let started = () => {};
    const begun = new Promise<void>((r) => (started = r));
    const slow: Route = {
      path: '/slow',
      handle: (_req, res) => {
        started();
        void held.then(() => res.writeHead(200).end('done'));
      },
    };
    const routes = [slow, ...operatorRoutes({ metrics: new Metrics(), checks: [] })];
    const http = createHttpServer({ routes, log: memoryLogger() });
    const port = await http.listen(0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    // A balancer's probe on a connection whose request is still in progress when shutdown begins.
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const ended = new Promise((r) => socket.on('close', r));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await begun;
    const closed = http.close();
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    release();
    await Promise.all([ended, closed]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\ndone\r\n[\s\S]*HTTP\/1\.1 503 [\s\S]*\r\nstopping\r\n/);
  });

  it('while draining keeps listening: /healthz says stopping, /readyz 503, routes answer, and each connection closes after its answer', async () => {
    const routes = [route('/a', 'A'), ...operatorRoutes({ metrics: new Metrics(), checks: [] })];
    const http = createHttpServer({ routes, log: memoryLogger() });
    open.push(http);
    const port = await http.listen(0, '127.0.0.1');
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return [res.status, await res.text(), res.headers.get('connection')];
    };
    expect(await get('/healthz')).toEqual([200, 'ok', 'keep-alive']);
    http.drain();
    // A load balancer sees the replica going and routes elsewhere; it is not refused a connection.
    expect(await get('/healthz')).toEqual([200, 'stopping', 'close']);
    expect(await get('/readyz')).toEqual([503, 'stopping', 'close']);
    expect(await get('/a')).toEqual([200, 'A', 'close']);
    await http.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('ends a request still in progress once the grace given to close has passed', async () => {
    let started = () => {};
    const begun = new Promise<void>((r) => (started = r));
    const never: Route = { path: '/never', handle: () => started() };
    const http = createHttpServer({ routes: [never], log: memoryLogger() });
    const port = await http.listen(0, '127.0.0.1');
    const answer = fetch(`http://127.0.0.1:${port}/never`);
    await begun;
    await http.close(0);
    await expect(answer).rejects.toThrow();
  });
});
