// The flags of the key-tool commands: `--name value` or `--name=value`, repeatable where the
// command allows it, booleans without a value, `--help`. Every mistake is a DivaNodeError
// `INVALID_ARGUMENTS` naming the flag (exit status 2).
import { DivaNodeError } from '../errors.ts';

/** What a command accepts: a flag takes one value, several (repeated or comma-separated), or none. */
export type FlagSpec = Readonly<Record<string, 'value' | 'values' | 'boolean'>>;

export interface Flags {
  readonly help: boolean;
  /** The flag's value (the last one given), or undefined. */
  value(name: string): string | undefined;
  /** The flag's value; `INVALID_ARGUMENTS` (`required`) when absent. */
  required(name: string): string;
  /** Every value of a repeatable flag, comma-separated lists split. */
  values(name: string): string[];
  has(name: string): boolean;
}

const fail = (argument: string, reason: string): never => {
  throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument, reason });
};

export function parseFlags(args: readonly string[], spec: FlagSpec): Flags {
  const given = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) fail(arg, 'unexpected argument (see --help)');
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) fail(`--${name}`, 'unknown flag (see --help)');
    let value: string;
    if (kind === 'boolean') {
      if (eq >= 0) fail(`--${name}`, 'takes no value');
      value = 'true';
    } else if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) fail(`--${name}`, 'expects a value');
      value = next as string;
      i++;
    }
    if (value === '') fail(`--${name}`, 'expects a non-empty value');
    const list = given.get(name) ?? [];
    if (kind === 'value' && list.length > 0) fail(`--${name}`, 'given twice');
    list.push(value);
    given.set(name, list);
  }
  const flags: Flags = {
    help,
    value: (name) => given.get(name)?.at(-1),
    required: (name) => flags.value(name) ?? fail(`--${name}`, 'required'),
    values: (name) => (given.get(name) ?? []).flatMap((v) => v.split(',')).filter((v) => v !== ''),
    has: (name) => given.has(name),
  };
  return flags;
}

/** A 0x-prefixed hex flag of `length` bytes. */
export function hexFlag(value: string, flag: string, length: number): Uint8Array {
  if (!new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(value)) {
    fail(flag, `expected ${length} bytes as 0x-prefixed hex`);
  }
  return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
}

/** A non-negative integer flag. */
export function integerFlag(value: string, flag: string, min: number): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    fail(flag, `expected an integer of at least ${min}`);
  }
  return Number(value);
}
