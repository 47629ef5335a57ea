import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../bots/app/main.js';

/**
 * The command line of every tool, run in-process through the same `main` that `npm start`,
 * `npm run flows:check`, `flows:test` and `tickets` run (test/adapters/playground.test.ts spawns
 * the real process for exit codes end to end). No REDIS_URL and no token: nothing here connects.
 */

/** Runs the tools' `main` on `argv` with an empty environment; what it printed and its exit code. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv, { RECORD_STORE: 'off' }), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

/** The answer to a command line that cannot run: the problem on one line, the usage, exit 2, no stack. */
async function refused(argv: string[], problem: string | RegExp): Promise<void> {
  const { code, stdout, stderr } = await run(...argv);
  const [first, second] = stderr.split('\n');
  expect({ code, stdout }, argv.join(' ')).toEqual({ code: 2, stdout: '' });
  if (typeof problem === 'string') expect(first).toBe(problem);
  else expect(first).toMatch(problem);
  expect(second).toBe('Usage:');
  expect(stderr).not.toMatch(/\n\s+at |Unexpected error|TypeError/);
}

describe('the command line of every tool', () => {
  it('answers npm run tickets -- --anything with the usage, not a stack trace', async () => {
    await refused(
      ['tickets', '--anything'],
      "Unknown option '--anything' for npm run tickets (it takes --status, --limit)",
    );
    await refused(['tickets', '-x'], "Unknown option '-x' for npm run tickets (it takes --status, --limit)");
  });

  it("refuses another command's option instead of ignoring it", async () => {
    await refused(['tickets', '--at', '2026-11-23T15:00:00+08:00'], /^Unknown option '--at' for npm run tickets /);
    await refused(
      ['tickets', 'resolve', 'T261123-ABCDEFGHIJ', '--limit', '5'],
      /^Unknown option '--limit' for npm run tickets -- resolve \(it takes --note, --outcome, --by\)$/,
    );
    await refused(
      ['flows', 'check', '--corpus', 'x'],
      "Unknown option '--corpus' for npm run flows:check (it takes --flows)",
    );
    await refused(['flows', 'test', '--lang', 'en'], /^Unknown option '--lang' for npm run flows:test /);
    await refused(['--status', 'pending'], "Unknown option '--status' for npm start (it takes --lang, --flows, --at)");
  });

  it('refuses a bad value, naming the option and what it should be', async () => {
    await refused(['tickets', '--limit', 'abc'], '--limit must be a whole number from 1 to 10000 (got "abc")');
    await refused(['tickets', '--limit='], '--limit must be a whole number from 1 to 10000 (got "")');
    await refused(
      ['tickets', '--status', 'lost'],
      '--status must be one of answered, pending, unresolved, recorded, resolved (got "lost")',
    );
    await refused(
      ['flows', 'test', '--min-caught', '2'],
      '--min-caught takes a share from 0 to 1, e.g. 0.95 (got "2")',
    );
    await refused(
      ['flows', 'test', '--max-wrong-topic='],
      '--max-wrong-topic takes a share from 0 to 1, e.g. 0.95 (got "")',
    );
    await refused(['--lang', 'fr'], '--lang must be zh-CN or en (got "fr")');
    // The unanswered list's options too get the usage under their line (before the issue-13 trial they did not).
    await refused(['unanswered', '--sort', 'often'], '--sort must be count or recent (got "often")');
    await refused(['unanswered', '--locale', 'fr'], '--locale must be zh-CN or en (got "fr")');
    await refused(['unanswered', '--limit', '0'], '--limit must be a whole number from 1 to 10000 (got "0")');
    await refused(
      ['--at', 'yesterday'],
      '--at must be a date and time with its offset, e.g. 2026-10-01T09:30:00+08:00 (got "yesterday")',
    );
    // Without its offset it would be read as UTC, not the shop's time (found by the issue-12 trial).
    await refused(
      ['--at', '2026-11-23T15:00:00'],
      '--at must be a date and time with its offset, e.g. 2026-10-01T09:30:00+08:00 (got "2026-11-23T15:00:00")',
    );
    // A day that does not exist, and a year no message could be dated (found by the third issue-17 trial).
    await refused(
      ['--at', '2026-02-30T10:00+08:00'],
      '--at must be a real date, as YYYY-MM-DDTHH:MM with its offset (got "2026-02-30T10:00+08:00")',
    );
    await refused(
      ['--at', '1900-01-01T00:00:00+08:00'],
      '--at must be a date between 2000 and 2099 (got "1900-01-01T00:00:00+08:00")',
    );
  });

  it('refuses an option without its value, a flag with one, a missing or extra operand, an unknown command', async () => {
    await refused(['tickets', '--limit'], "Option '--limit <value>' argument missing");
    await refused(['flows', 'test', '--corpus'], "Option '--corpus <value>' argument missing");
    await refused(['--at'], "Option '--at <value>' argument missing");
    await refused(['tickets', '--help=yes'], "Option '-h, --help' does not take an argument");
    await refused(['tickets', 'resolve'], /^Which ticket\? npm run tickets -- resolve T261123-/);
    await refused(
      ['tickets', 'resolve', 'T1', 'note', 'T2'],
      "Unexpected argument 'T2' for npm run tickets -- resolve",
    );
    await refused(['tickets', 'search', 'T1'], "Unexpected argument 'T1' for npm run tickets -- search");
    await refused(['tickets', 'all'], "Unexpected argument 'all' for npm run tickets");
    await refused(['flows', 'check', 'a', 'b'], "Unexpected argument 'b' for npm run flows:check");
    // A word that only begins commands names them (found by the issue-17 trial: `npm run customer` alone).
    await refused(['flows'], /^flows needs a command: flows check \| test \| publish .* \(npm run flows -- check …\)$/);
    await refused(['customer'], 'customer needs a command: customer forget (npm run customer -- forget …)');
    await refused(
      ['customer', 'delete'],
      'Unknown command: customer delete: customer forget (npm run customer -- forget …)',
    );
    await refused(['unknown'], 'Unknown command: unknown');
  });

  // Found by the issue-13 trial: the last of two values was taken silently, and `--limit -1` got Node's own words.
  it('refuses an option given twice, for every command, instead of taking the last value', async () => {
    await refused(
      ['tickets', 'search', '--status', 'pending', '--status', 'resolved'],
      "Option '--status' is given more than once for npm run tickets -- search: give it once",
    );
    await refused(
      ['tickets', '--limit=5', '--limit', '5'],
      "Option '--limit' is given more than once for npm run tickets: give it once",
    );
    await refused(
      ['tickets', 'resolve', 'T261123-ABCDEFGHIJ', '--outcome', '已退款', '--outcome', '已换货'],
      "Option '--outcome' is given more than once for npm run tickets -- resolve: give it once",
    );
    await refused(
      ['unanswered', '--sort', 'count', '--sort', 'recent'],
      "Option '--sort' is given more than once for npm run unanswered: give it once",
    );
    await refused(
      ['flows', 'test', '--corpus', 'a', '--corpus', 'b'],
      "Option '--corpus' is given more than once for npm run flows:test: give it once",
    );
    await refused(['flows', 'check', '--flows', 'a', '--flows', 'b'], /^Option '--flows' is given more than once /);
    await refused(
      ['--lang', 'en', '--lang', 'zh-CN'],
      "Option '--lang' is given more than once for npm start: give it once",
    );
  });

  it('reads a negative number after an option as its value, judged like any other; a dashed word as a missing value', async () => {
    await refused(['tickets', '--limit', '-1'], '--limit must be a whole number from 1 to 10000 (got "-1")');
    await refused(['tickets', 'search', '--limit', '-1'], '--limit must be a whole number from 1 to 10000 (got "-1")');
    await refused(['unanswered', '--limit', '-1'], '--limit must be a whole number from 1 to 10000 (got "-1")');
    await refused(
      ['flows', 'test', '--min-accuracy', '-0.5'],
      '--min-accuracy takes a share from 0 to 1, e.g. 0.95 (got "-0.5")',
    );
    await refused(
      ['tickets', 'resolve', 'T261123-ABCDEFGHIJ', '--note', '--by', '小王'],
      "Option '--note <value>' argument missing (to give a value that starts with a dash, write --note=-…)",
    );
    for (const argv of [
      ['tickets', '--limit', '-1'],
      ['tickets', 'resolve', 'T261123-ABCDEFGHIJ', '--note', '--by'],
    ]) {
      const { stderr } = await run(...argv);
      expect(stderr).not.toMatch(/ambiguous|Did you forget/);
    }
  });

  it("a command's own problem shows that command's usage, not the whole list (found by the issue-17 trial)", async () => {
    const { stderr } = await run('unanswered', '--sort', 'often');
    expect(stderr).toMatch(/^--sort must be count or recent \(got "often"\)\nUsage:\n {2}npm run unanswered /);
    expect(stderr).not.toContain('npm start');
    const search = (await run('tickets', 'search', '--from', '2026-13-01')).stderr;
    expect(search.split('\n').slice(1, 3)).toEqual([
      'Usage:',
      expect.stringMatching(/^ {2}npm run tickets -- search /),
    ]);
    expect(search).not.toContain('npm run tickets -- resolve');
    // Also a problem found while reading the options (a value missing, an option unknown).
    const missing = (await run('tickets', 'search', '--text')).stderr;
    expect(missing.split('\n').slice(0, 3)).toEqual([
      "Option '--text <value>' argument missing",
      'Usage:',
      expect.stringMatching(/^ {2}npm run tickets -- search /),
    ]);
  });

  it('prints the usage on --help for any command, exit 0', async () => {
    for (const argv of [['--help'], ['tickets', '-h'], ['flows', 'check', '--help']]) {
      const { code, stdout, stderr } = await run(...argv);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^Usage:\n {2}npm start /);
    }
  });

  it('runs a good command line as before: tickets without Redis says where tickets are (exit 2)', async () => {
    const { code, stderr } = await run('tickets', '--status', 'pending', '--limit', '5');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Tickets are kept in Redis: set REDIS_URL\./);
  });
});
