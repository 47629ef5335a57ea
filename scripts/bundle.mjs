// @ts-check
/**
 * The bot's build (issue 17, cold start): bundles the TypeScript of bots/, adapters/ and flows/
 * into plain JavaScript in dist/, so a start runs `node dist/main.js` instead of compiling every
 * file with tsx. Packages in node_modules stay outside the bundle and load as usual (PGlite's
 * WASM, pg, …). Commands loaded on demand (Slack, the console, the record, each CLI tool) are
 * chunks of their own, so a start loads only what it uses.
 *
 *   node scripts/bundle.mjs             build now
 *   node scripts/bundle.mjs --if-stale  build only when dist/ is missing or older than a source
 *
 * `npm start` and the other npm scripts run `--if-stale` first (a few ms when nothing changed),
 * so a fresh clone, a `git pull` or an edited file is built before it runs. The bundle reads its
 * files beside the sources (flow definitions, the console's stylesheet and client script): each
 * module's `import.meta.url` is its source file's, so dist/ is a cache of the checkout it sits in,
 * not a package of its own. Nothing is written to stdout; a failed build prints esbuild's errors
 * on stderr and exits 1.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundle goes (gitignored). */
export const DIST = join(ROOT, 'dist');
/** Files that change the bundle besides the sources it reads: the build itself and the packages. */
const ALWAYS = ['scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

/**
 * Why dist/ must be built again, or undefined when it is current: no build yet, or a file it was
 * made from (a source, package.json, the lockfile, this script) changed or vanished since that
 * build started, or no longer has the time and size it was built from. Reads dist/build.json and stats each input (about 200 files: a few ms).
 * @param {string} [dist] the bundle's folder (tests pass a copy)
 * @param {string} [root] the checkout the paths in its stamp are relative to
 * @returns {string | undefined}
 */
export function staleness(dist = DIST, root = ROOT) {
  /** @type {{ startedAt: number, inputs: string[], outputs: string[], stats?: Record<string, [number, number]> }} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(dist, 'build.json'), 'utf8'));
  } catch {
    return 'not built yet';
  }
  for (const output of stamp.outputs) {
    try {
      statSync(join(dist, output));
    } catch {
      return `${output} is missing`;
    }
  }
  for (const input of stamp.inputs) {
    let mtimeMs, size;
    try {
      ({ mtimeMs, size } = statSync(join(root, input)));
    } catch {
      return `${input} is gone`;
    }
    // Changed after the build started (an edit, a checkout or a pull stamps files with the time of writing),
    // or replaced by a copy that kept its own, older time (rsync -a, cp -p, tar x): not the time and size built from.
    if (mtimeMs >= stamp.startedAt) return `${input} changed`;
    const built = stamp.stats?.[input];
    if (built && (built[0] !== mtimeMs || built[1] !== size)) return `${input} changed`;
  }
  return undefined;
}

/**
 * Imports in the source that resolve against the module's own file (`new URL('./x', import.meta.url)`)
 * keep doing so in the bundle: each `import.meta.url` of ours becomes its source file's URL,
 * written relative to the bundle's folder so a moved checkout still finds its files.
 * @param {string} outdir
 * @returns {import('esbuild').Plugin}
 */
export function sourceUrls(outdir) {
  return {
    name: 'source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles bots/app/program.ts into `dist` (main.js and its chunks, all in the one folder) and
 * records the build. Every file is written whole under a temporary name and renamed into place,
 * so a process starting meanwhile (another replica, a concurrent build) never reads half a file.
 * Files of earlier builds are removed. Rejects with esbuild's errors.
 * @param {string} [dist]
 */
export async function bundle(dist = DIST) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'bots/app/program.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.12',
    packages: 'external',
    splitting: true,
    chunkNames: '[name]-[hash]',
    outdir: dist,
    sourcemap: 'linked',
    write: false,
    metafile: true,
    logLevel: 'error',
    plugins: [sourceUrls(dist)],
  });
  mkdirSync(dist, { recursive: true });
  const outputs = result.outputFiles.map((f) => relative(dist, f.path));
  // main.js last: until it is renamed into place, a start runs the previous build whole.
  const ordered = [...result.outputFiles].sort(
    (a, b) => Number(a.path.endsWith('main.js')) - Number(b.path.endsWith('main.js')),
  );
  for (const file of ordered) writeWhole(file.path, file.contents);
  const inputs = [...Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/')), ...ALWAYS];
  // What it was made from (each input's time and size as built), and when it started: staleness() compares with it.
  /** @type {Record<string, [number, number]>} */
  const stats = {};
  for (const input of inputs) {
    const { mtimeMs, size } = statSync(join(ROOT, input));
    stats[input] = [mtimeMs, size];
  }
  writeWhole(join(dist, 'build.json'), JSON.stringify({ startedAt, inputs, outputs, stats }, null, 2));
  // What earlier builds kept (bots/definition-cache.ts: each build its own folder under cache/).
  for (const kept of existsSync(join(dist, 'cache')) ? readdirSync(join(dist, 'cache')) : [])
    if (Number(kept) < startedAt) rmSync(join(dist, 'cache', kept), { recursive: true, force: true });
  // An earlier build's chunks, unless a build running alongside wrote them after this one began.
  for (const entry of readdirSync(dist, { withFileTypes: true })) {
    const { name } = entry;
    if (!entry.isFile() || outputs.includes(name) || !/\.(js|map|tmp)$/.test(name)) continue;
    if (statSync(join(dist, name)).mtimeMs < startedAt) rmSync(join(dist, name), { force: true });
  }
  return { outputs, inputs };
}

/**
 * @param {string} path
 * @param {string | Uint8Array} contents
 */
function writeWhole(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

// Run as a program (npm's scripts), not imported (the tests, the bench).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || staleness() !== undefined)
    await bundle().catch((/** @type {unknown} */ err) => {
      // esbuild has printed its own errors (logLevel 'error'); anything else (a dist/ it cannot write) is said here.
      const printed = typeof err === 'object' && err !== null && 'errors' in err;
      if (!printed)
        process.stderr.write(
          `The build (scripts/bundle.mjs) failed: ${String(err instanceof Error ? err.message : err)}\n`,
        );
      process.exit(1);
    });
}
