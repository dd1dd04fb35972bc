// `diva-node devnet`'s command line: how many operators and validators, the committee, slot time,
// where the data goes, which ports, how long to run. Each bad flag is an INVALID_ARGUMENTS error
// naming it (exit status 2).
import { resolve } from 'node:path';
import { DivaNodeError } from '../errors.ts';
import { parseFlags } from '../keys/flags.ts';

export const DEVNET_HELP = `diva-node devnet - a whole Diva network on this machine

Usage: diva-node devnet [options]

Starts Anvil with the deposit contract, creates the operators' keys, runs one DKG ceremony over
libp2p per validator among its committee (real diva-node processes), deposits the validators
(and 16 interop validators Lodestar's own client runs) through the contract, starts Lodestar from a
genesis built from the contract's deposit logs (eth1 tracking on), then the operators, and shows
the network's status every slot. The dashboard of every operator together is served on --port.
Ctrl-C stops every process it started.

Options:
  --operators N        operator processes (default 20)
  --validators N       distributed validators (default 4)
  --committee-size N   members per committee (default 16; committees differ when operators > size)
  --threshold N        signatures needed (default 2n/3 + 1, 11 of 16)
  --slot-seconds N     beacon chain slot time (default 6)
  --data-dir DIR       keys, logs, chain data (default ./.devnet); must be empty or absent
  --fresh              remove --data-dir first
  --port N             the dashboard and status page (default 8080; 0: any free port)
  --epochs N           stop after N epochs and print a summary (default: run until Ctrl-C)
  --contracts          the whole lifecycle through the Diva contracts: deploy them, register the
                       operators with collateral, stake; the nodes' keepers draw the committees,
                       the members run the DKG and submit it, the operators confirm the 31 ETH
                       top-up; genesis follows from the deposits (committee size from
                       --committee-size, threshold the contracts' 2n/3 + 1)
  --help               this text

Needs the Diva repository's workspace (Lodestar, Anvil and the contracts are its dev packages).`;

export interface DevnetOptions {
  readonly operators: number;
  readonly validators: number;
  readonly committeeSize: number;
  readonly threshold: number;
  readonly slotSeconds: number;
  readonly dataDir: string;
  readonly fresh: boolean;
  readonly port: number;
  readonly epochs: number | undefined;
  /** Drive the lifecycle through the Diva contracts (./contracts-chain.ts). */
  readonly contracts: boolean;
}

const integer = (flag: string, value: string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: `--${flag}`,
      reason: `expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
    });
  }
  return n;
};

/** undefined: --help was asked for. */
export function parseDevnetArguments(args: readonly string[]): DevnetOptions | undefined {
  const flags = parseFlags(args, {
    operators: 'value',
    validators: 'value',
    'committee-size': 'value',
    threshold: 'value',
    'slot-seconds': 'value',
    'data-dir': 'value',
    fresh: 'boolean',
    port: 'value',
    epochs: 'value',
    contracts: 'boolean',
  });
  if (flags.help) return undefined;
  const operators = integer('operators', flags.value('operators'), 20, 1, 64);
  const committeeSize = integer(
    'committee-size',
    flags.value('committee-size'),
    Math.min(16, operators),
    1,
    64,
  );
  if (committeeSize > operators) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--committee-size',
      reason: `${committeeSize} members need at least as many operators (--operators ${operators})`,
    });
  }
  const contractThreshold = Math.floor((2 * committeeSize) / 3) + 1;
  if (
    flags.has('contracts') &&
    flags.has('threshold') &&
    Number(flags.value('threshold')) !== contractThreshold
  ) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--threshold',
      reason: `with --contracts the threshold is the contracts' 2n/3 + 1 = ${contractThreshold}`,
    });
  }
  const threshold = integer(
    'threshold',
    flags.value('threshold'),
    Math.floor((2 * committeeSize) / 3) + 1,
    1,
    committeeSize,
  );
  return {
    operators,
    committeeSize,
    threshold,
    validators: integer('validators', flags.value('validators'), 4, 1, 64),
    slotSeconds: integer('slot-seconds', flags.value('slot-seconds'), 6, 2, 12),
    dataDir: resolve(flags.value('data-dir') ?? '.devnet'),
    fresh: flags.has('fresh'),
    port: integer('port', flags.value('port'), 8080, 0, 65535),
    contracts: flags.has('contracts'),
    epochs: flags.has('epochs') ? integer('epochs', flags.value('epochs'), 0, 1, 10_000) : undefined,
  };
}
