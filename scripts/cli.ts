import { Command, InvalidArgumentError } from 'commander';

/**
 * The command line of one of the project's npm scripts, on commander: `--help` and `-h` print every option
 * with one line each and the examples, and exit 0; an unknown option or a bad value prints the error and a
 * pointer to --help, and exits 2 before anything starts. `name` is how a user types it (`npm start --`).
 * An argument left over after the options is most often an option's value whose option npm took for its own
 * (`npm start --grep @rollback`, the `--` forgotten): that error says so.
 */
export function cliCommand(name: string, description: string, examples: readonly string[]): Command {
  return new Command(name)
    .description(description)
    .helpOption('-h, --help', 'print this help and exit')
    .addHelpText('after', `\nExamples:\n${examples.map((example) => `  ${example}`).join('\n')}\n`)
    .showHelpAfterError(`(${name} --help lists every option)`)
    .configureOutput({
      outputError: (text, write) =>
        write(
          text.includes('too many arguments') && name.startsWith('npm ')
            ? `${text}npm keeps the options written before "--" for itself and passes on only their values: write the options after it: ${name} --option value\n`
            : text,
        ),
    })
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .allowExcessArguments(false);
}

/** For a repeatable option: collects every value given, in order. */
export const repeatable = (value: string, previous: string[] = []) => [...previous, value];

/** A whole number from `min` to `max`, or the commander error that says which. */
export const wholeNumber = (min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new InvalidArgumentError(`give a whole number from ${min} to ${max}`);
  return Number(value);
};
