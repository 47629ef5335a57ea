import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ping } from './redis-server.js';

const run = promisify(execFile);

/**
 * A throwaway Redis Cluster for the cluster suites: three `redis-server --cluster-enabled yes`
 * masters on free ports (data and nodes.conf in a temp folder, no persistence), joined by
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`. The join takes about 2 s
 * (redis-cli waits for the nodes to agree), so it runs in the background while other suites
 * start: `status` is a file that says `ok` once every slot is served, or `failed: why`.
 */
export interface StartedCluster {
  /** `127.0.0.1:<port>,…`, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  /** The file the join writes its outcome to (see waitForCluster). */
  status: string;
  /** Stops the servers (and a join still under way) and removes the folder. */
  stop(): Promise<void>;
}

/** Starts the servers and answers once they answer PING; the join goes on behind (see `status`). Throws when a server cannot start. */
export async function startCluster(): Promise<StartedCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'csb-cluster-'));
  const status = join(dir, 'status');
  const children: ChildProcess[] = [];
  let stopped = false;
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  const stop = async () => {
    stopped = true;
    const exits = children.filter(running).map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of children) if (running(c)) c.kill('SIGTERM');
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };
  const report = (outcome: string) => {
    if (!stopped) writeFileSync(status, outcome);
  };
  try {
    const ports: number[] = [];
    const taken = new Set<number>();
    const fresh = async (): Promise<number> => {
      const port = await freePort();
      return taken.has(port) ? fresh() : (taken.add(port), port);
    };
    for (let i = 0; i < 3; i++) {
      const [port, bus] = [await fresh(), await fresh()];
      ports.push(port);
      // A bus port of its own (the default, port + 10000, may be taken or past 65535); its own
      // nodes.conf in the folder; no persistence.
      const args = ['--port', port, '--cluster-port', bus, '--bind', '127.0.0.1', '--cluster-enabled', 'yes']
        .concat(['--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'])
        .map(String);
      const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', resolve);
      });
    }
    for (const port of ports) await until(() => ping('127.0.0.1', port, 200), `redis-server on ${port}`);
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    children.push(spawnJoin(nodes, report, () => stopped));
    return { nodes: nodes.join(','), status, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `redis-cli --cluster create`, then every node's CLUSTER INFO until the state is ok: reports `ok` or `failed: …`. */
function spawnJoin(nodes: string[], report: (outcome: string) => void, stopped: () => boolean): ChildProcess {
  const child = spawn('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const fail = (why: string) => report(`failed: ${why}`);
  child.once('error', (err) => fail(`redis-cli could not start (${err.message})`));
  child.once('exit', (code) => {
    if (code !== 0) return fail(`redis-cli --cluster create exited with ${code}: ${out.slice(-500)}`);
    const ok = async () => {
      if (stopped()) return true;
      for (const node of nodes) {
        const [host, port] = node.split(':');
        const info = await run('redis-cli', ['-h', host!, '-p', port!, 'cluster', 'info']).catch(() => ({
          stdout: '',
        }));
        if (!/cluster_state:ok/.test(info.stdout)) return false;
      }
      return true;
    };
    until(ok, 'cluster_state:ok on every node').then(
      () => report('ok'),
      (err: Error) => fail(err.message),
    );
  });
  return child;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
