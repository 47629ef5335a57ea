import type { ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import type { FlowRegistry } from '../flows-registry.js';
import type { Metrics } from '../metrics.js';
import type { Route } from '../ports.js';

/** Prometheus scrapes this (bots/metrics.ts). */
export const METRICS_PATH = '/metrics';
/** Load balancers and orchestrators ask this before sending traffic; `/healthz` only says the process runs. */
export const READY_PATH = '/readyz';

/** One dependency readiness waits for: resolves when it answers, rejects with why not. */
export interface ReadinessCheck {
  /** `redis`, `record`: what an operator reads in the answer. */
  readonly name: string;
  check(): Promise<void>;
}

/** How long one check may take before it counts as failed (ms): a probe must answer before the prober gives up. */
export const READY_TIMEOUT_MS = 2_000;

/** What `/readyz` answers, as JSON: each check `ok` or why it failed. */
export interface Readiness {
  status: 'ready' | 'unavailable';
  checks: Record<string, string>;
  /** The checks that failed, by name. */
  failed?: string[];
}

/** Runs the checks at once, each bounded by `timeoutMs`. */
export async function readiness(checks: readonly ReadinessCheck[], timeoutMs = READY_TIMEOUT_MS): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([c.check(), late]);
        return [c.name, 'ok'];
      } catch (err) {
        return [c.name, err instanceof Error ? err.message : String(err)];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failed = results.filter(([, r]) => r !== 'ok').map(([name]) => name);
  return {
    status: failed.length === 0 ? 'ready' : 'unavailable',
    checks: Object.fromEntries(results),
    ...(failed.length > 0 ? { failed } : {}),
  };
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * `GET /metrics`: the runtime's metrics in the Prometheus text format. `GET /readyz`: 200
 * `{"status":"ready","checks":{"redis":"ok","record":"ok"}}` when every check answers, else 503
 * with `status: "unavailable"`, why each failed, and `failed: ["redis"]`.
 */
export function operatorRoutes(options: { metrics: Metrics; checks: readonly ReadinessCheck[] }): Route[] {
  const onlyGet = (method: string | undefined) => method === 'GET' || method === 'HEAD';
  return [
    {
      path: METRICS_PATH,
      handle: (req, res) => {
        if (!onlyGet(req.method)) return reply(res, 405, 'text/plain; charset=utf-8', 'GET only');
        void options.metrics.text().then(
          (text) => reply(res, 200, options.metrics.contentType, text),
          (err: unknown) => reply(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${String(err)}`),
        );
      },
    },
    {
      path: READY_PATH,
      handle: (req, res) => {
        if (!onlyGet(req.method)) return reply(res, 405, 'text/plain; charset=utf-8', 'GET only');
        void readiness(options.checks).then((r) =>
          reply(res, r.status === 'ready' ? 200 : 503, 'application/json', JSON.stringify(r)),
        );
      },
    },
  ];
}

/** What the runtime reports at each scrape besides what is counted as it happens: the flow version, the engine's counters. */
export function watchRuntime(metrics: Metrics, parts: { engine: Engine; flows: FlowRegistry }): void {
  const { engine, flows } = parts;
  metrics.watchFlows(() => ({ version: flows.version, published: flows.published()?.id }));
  metrics.watchCount(
    'snapshot_resets_total',
    'Stored conversation states that could not be restored: those conversations started over',
    () => engine.counters.snapshotResets,
  );
  metrics.watchCount(
    'flow_errors_total',
    'Flow steps that threw: the event was consumed without effects',
    () => engine.counters.flowErrors,
  );
}
