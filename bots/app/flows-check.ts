import { checkDefinitions } from '../flows-registry.js';

/** `npm run flows:check`: validates the definitions in `dir` and lists every problem with its path. */
export async function flowsCheck(dir: string, defaultLocale: string): Promise<number> {
  const result = await checkDefinitions(dir, defaultLocale);
  if (result.ok) {
    process.stdout.write(`OK: ${result.files.join(', ')} (version ${result.version})\n`);
    return 0;
  }
  process.stdout.write(
    `Invalid flow definitions in ${dir}:\n${result.problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`).join('\n')}\n`,
  );
  return 1;
}
