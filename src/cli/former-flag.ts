import { type Command, Option } from "commander";

/**
 * A flag's former spelling, kept so that commands written with it still work: hidden from the
 * help, its values parsed like the flag's and stored where the flag's go. Commander has no alias
 * for an option; what it stores a value under is the option's attributeName, so this option
 * answers with the current flag's.
 */
class FormerSpelling extends Option {
  readonly #storedAs: string;

  constructor(flags: string, current: Option) {
    super(flags);
    this.#storedAs = current.attributeName();
    if (current.parseArg) this.argParser(current.parseArg);
    this.hideHelp();
  }

  override attributeName(): string {
    return this.#storedAs;
  }
}

/** Adds `flags` ("--pins <chars>") to `command` as the former spelling of `current` ("--pin"). */
export function addFormerSpelling(command: Command, flags: string, current: string): Command {
  const option = command.options.find((candidate) => candidate.long === current);
  if (!option) throw new Error(`${command.name()} has no flag ${current} to add ${flags} to`);
  return command.addOption(new FormerSpelling(flags, option));
}
