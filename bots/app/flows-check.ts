import { calendarWarnings, checkDefinitions } from '../flows-registry.js';

/**
 * `npm run flows:check`: validates the definitions in `dir` and lists every problem with its path;
 * valid definitions whose holiday calendar does not reach 90 days from `now` get a warning line
 * (exit code still 0: the files are valid, the data is only running out).
 */
export async function flowsCheck(dir: string, defaultLocale: string, now: number = Date.now()): Promise<number> {
  const result = await checkDefinitions(dir, defaultLocale);
  if (result.ok) {
    process.stdout.write(`OK: ${result.files.join(', ')} (version ${result.version})\n`);
    for (const w of calendarWarnings(result.definitions, now))
      process.stdout.write(`Warning: holiday calendar incomplete (${w.locale}): ${w.message}\n`);
    return 0;
  }
  process.stdout.write(
    `Invalid flow definitions in ${dir}:\n${result.problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`).join('\n')}\n`,
  );
  return 1;
}
