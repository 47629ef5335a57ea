import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The command line of the product's tools (`npm start`, `npm run flows:check`, `flows:test`,
 * `tickets`), read against what each command takes. Anything it cannot run comes back as one line
 * saying what is wrong, for the caller to print above the usage (exit 2): an unknown option, an
 * option of another command, an option without its value, an operand too many.
 */

type Options = NonNullable<ParseArgsConfig['options']>;

/** One command: the words that name it, how its usage starts, the options it takes and its operands. */
export interface CommandSpec<Name extends string> {
  /** Positionals that name it (`['tickets', 'resolve']`); `[]` is `npm start`. */
  words: readonly string[];
  /** How it is typed (`npm run tickets -- resolve`), for messages. */
  usage: string;
  /** The options it takes besides `help`. */
  options: readonly Name[];
  /** How many positionals may follow its words (`flows check DIR`: 1). */
  operands: number;
}

/** A command line read: the command (undefined when no command has those words), option values and positionals. */
export type CommandLine<T extends Options, Name extends string> =
  | (ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> & {
      command: CommandSpec<Name> | undefined;
    })
  | { problem: string };

/** The command whose words start the positionals, the longest such; undefined when none. */
function commandOf<Name extends string>(
  positionals: readonly string[],
  commands: readonly CommandSpec<Name>[],
): CommandSpec<Name> | undefined {
  return [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => positionals[i] === w) && (c.words.length > 0 || positionals.length === 0));
}

/**
 * Reads `argv` (without node and the script) against `options` (every option of every command)
 * and `commands`. A command not in `commands` takes any of `options` (its caller reports it as
 * unknown, or runs it). Never throws for bad input: `{ problem }` says what is wrong.
 */
export function parseCommandLine<const T extends Options, Name extends keyof T & string>(
  argv: string[],
  options: T,
  commands: readonly CommandSpec<Name>[],
): CommandLine<T, Name> {
  try {
    // First leniently, to know which command is meant before judging its options.
    const lenient = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
    const command = commandOf(lenient.positionals, commands);
    const unknown = command && lenient.tokens.find((t) => t.kind === 'option' && !takes(command, t.name));
    if (command && unknown?.kind === 'option') {
      const list = command.options.map((o) => `--${o}`).join(', ');
      return { problem: `Unknown option '${unknown.rawName}' for ${command.usage} (it takes ${list || 'no options'})` };
    }
    const repeated = repeatedOption(lenient.tokens, options);
    if (repeated)
      return {
        problem: `Option '--${repeated}' is given more than once${command ? ` for ${command.usage}` : ''}: give it once`,
      };
    const dashed = dashedValue(lenient.tokens, options);
    if (dashed && !/^-\d/.test(dashed.value) && dashed.value !== '-')
      return {
        problem: `Option '${dashed.rawName} <value>' argument missing (to give a value that starts with a dash, write --${dashed.name}=-…)`,
      };
    // A negative number is a value (`--limit -1`), for the command to judge like any other.
    const args = dashed ? withInlineValue(argv, dashed) : argv;
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    const extra = command ? parsed.positionals.slice(command.words.length + command.operands) : [];
    if (command && extra.length > 0) return { problem: `Unexpected argument '${extra[0]}' for ${command.usage}` };
    return { ...parsed, command };
  } catch (err) {
    // Node's own wording ("Option '--at <value>' argument missing"), without its advice on positionals.
    const message = err instanceof Error ? err.message : String(err);
    return { problem: message.replace(/^(Unknown option '[^']*')\..*$/s, '$1') };
  }
}

/** Whether a command takes an option (every command takes --help). */
function takes(command: CommandSpec<string>, option: string): boolean {
  return option === 'help' || command.options.includes(option);
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];
type OptionToken = Extract<Token, { kind: 'option' }>;

/** The first option with a value that is given twice (parseArgs would keep the last silently). */
function repeatedOption(tokens: readonly Token[], options: Options): string | undefined {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple) continue;
    if (seen.has(t.name)) return t.name;
    seen.add(t.name);
  }
  return undefined;
}

/**
 * The first option whose value, in the next argument, starts with a dash (`--limit -1`, `--note
 * --by`): Node refuses it as ambiguous, in its own words.
 */
function dashedValue(tokens: readonly Token[], options: Options): (OptionToken & { value: string }) | undefined {
  return tokens.find(
    (t): t is OptionToken & { value: string } =>
      t.kind === 'option' &&
      options[t.name]?.type === 'string' &&
      t.inlineValue === false &&
      typeof t.value === 'string' &&
      t.value.startsWith('-'),
  );
}

/** `argv` with that option and its value as one argument (`--limit=-1`). */
function withInlineValue(argv: string[], t: OptionToken & { value: string }): string[] {
  return [...argv.slice(0, t.index), `--${t.name}=${t.value}`, ...argv.slice(t.index + 2)];
}
