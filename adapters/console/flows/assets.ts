import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * The flows pages' static assets: their stylesheet, and their one script (the YAML editor and the
 * preview chat, adapters/console/flows/client) bundled by esbuild on first use and kept in memory,
 * served under a name with its content hash so browsers may cache it for good.
 */

export interface Asset {
  /** The file name with its hash: `flows-3f2a9c1b0d.js`. */
  name: string;
  body: string;
  type: string;
}

const CLIENT_ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));
const STYLESHEET = fileURLToPath(new URL('./flows.css', import.meta.url));

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

export class FlowsAssets {
  private script: Promise<Asset> | undefined;
  private style: Promise<Asset> | undefined;

  /** The bundled script (built once; a failed build is tried again on the next call). */
  bundle(): Promise<Asset> {
    // esbuild is loaded on the first request for the script, not when the console starts.
    this.script ??= import('esbuild')
      .then(({ build }) =>
        build({
          entryPoints: [CLIENT_ENTRY],
          bundle: true,
          write: false,
          format: 'esm',
          target: 'es2020',
          minify: true,
          legalComments: 'none',
          logLevel: 'silent',
        }),
      )
      .then(
        (result) => {
          const body = result.outputFiles[0]?.text ?? '';
          return { name: `flows-${hashOf(body)}.js`, body, type: 'text/javascript; charset=utf-8' };
        },
        (err: unknown) => {
          this.script = undefined;
          throw err;
        },
      );
    return this.script;
  }

  stylesheet(): Promise<Asset> {
    this.style ??= readFile(STYLESHEET, 'utf8').then((body) => ({
      name: 'flows.css',
      body,
      type: 'text/css; charset=utf-8',
    }));
    return this.style;
  }
}
