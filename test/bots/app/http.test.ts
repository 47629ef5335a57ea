import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../bots/app/http.js';
import { SetupError } from '../../../bots/errors.js';
import { memoryLogger } from '../../../bots/log.js';
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
});
