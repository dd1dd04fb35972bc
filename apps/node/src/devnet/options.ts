// `diva-node devnet`'s command line: how many operators and validators, the committee, slot time,
// where the data goes, which ports, how long to run. Each bad flag is an INVALID_ARGUMENTS error
// naming it (exit status 2).
import { resolve } from 'node:path';
import { DivaNodeError } from '../errors.ts';
import { type Flags, parseFlags } from '../keys/flags.ts';
import { type DevnetFault, parseFault } from './faults.ts';

export const DEVNET_HELP = `diva-node devnet - a whole Diva network on this machine

Usage: diva-node devnet [options]

Starts Anvil, deploys the Diva contracts (with their own deposit contract; 16 interop validators
Lodestar's own client runs are deposited first), creates the operators' keys, registers them with
their p2p identity and collateral, and starts their diva-node processes; then stakes 32 ETH per
validator. The nodes do the rest as on a real network: their keepers request and finalise the
committee draws, the drawn members run the DKG over libp2p and submit the approved result (1 ETH
deposited), the operators holding key shares confirm the credentials (31 ETH more). Genesis is then
built from the deposit contract's logs, Lodestar starts from it (eth1 tracking on), the operators
validate, and the network's status is shown every slot. The dashboard of every operator together
is served on --port. Ctrl-C stops every process it started.

Options:
  --operators N        operator processes (default 20)
  --validators N       distributed validators (default 4)
  --committee-size N   members per committee (default 16; committees differ when operators > size)
  --threshold N        signatures needed (2n/3 + 1, 11 of 16: the contracts' rule; free with --direct)
  --slot-seconds N     beacon chain slot time (default 6)
  --data-dir DIR       keys, logs, chain data (default ./.devnet). Empty or absent: a new network.
                       Holding a devnet that stopped cleanly (Ctrl-C or --epochs): it is resumed
                       where it stopped (Anvil's chain, the beacon chain's blocks replayed into
                       Lodestar, every operator's keys and slashing protection), with the shape
                       it was created with
  --fresh              remove --data-dir first (always a new network)
  --port N             the dashboard and status page (default 8080; 0: any free port)
  --epochs N           stop after N epochs (a resumed run: N more) and print a summary
                       (default: run until Ctrl-C)
  --late-validators N  stake for N more validators once the chain runs (default 0): they are drawn
                       and created by DKG like the others and join through eth1 (the 1 ETH and the
                       31 ETH deposits each wait about 4 minutes for Lodestar's follow distance)
  --fault kill:K@E[-R] at epoch E kill (SIGKILL) K members of the first validator's committee and
                       restart them at epoch R; the summary shows that validator's balance per
                       epoch (it keeps attesting while at most n - t members are down)
  --fault equivocate@E at epoch E restart the first member of that committee as a Byzantine
                       leader (two signed proposals per duty it leads); the others prove it on
                       chain, it is slashed and ejected and a resharing replaces it; the summary
                       shows when the chain saw each step
  --fault chaos:PCT@E  from epoch E, every operator is up in each epoch with probability PCT%
                       (seeded: repeatable); those drawn down are killed, restarted when drawn up
                       again; the summary's \`uptime\` sets the node uptime measured against the
                       validators' (the simulator's uptime experiment on the real network)
  --fault rounds:PCT@E rounds of random faults: as chaos, but one drawn down gets a crash, a p2p
                       partition for the epoch or a slow beacon node (every request held 40% of
                       a slot), drawn alike; the summary adds each operator's slashing-protection
                       check and the books
  --exit-request E     at epoch E the staker asks to withdraw 32 ETH, more than the pool holds, and
                       asks for the first validator's exit (requestShortfallExit); its committee
                       signs and publishes the voluntary exit by itself. Once the validator is
                       withdrawable the devnet plays the sweep (altair has none: an emulator
                       contract sends its balance to divETH), the nodes' report counts it, their
                       keepers finalize the request and the staker claims; the summary's \`exit\`
                       times each step and checks the books to the wei (\`--epochs\` waits up to 4
                       more epochs for the claim)
  --direct             without the contracts: committees are windows of the operator list, the
                       devnet runs each DKG ceremony itself (\`diva-node keys dkg\` processes) and
                       deposits 32 ETH straight into a bare deposit contract, with a cluster file
                       (the threshold is then free: --threshold)
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
  readonly fault: DevnetFault | undefined;
  /** Validators staked after genesis (contracts only). */
  readonly lateValidators: number;
  /** The epoch at which the staker's withdrawal causes the first validator's exit (contracts only). */
  readonly exitRequestEpoch: number | undefined;
  /** Drive the lifecycle through the Diva contracts (./contracts-chain.ts); false with --direct. */
  readonly contracts: boolean;
  /** The flags given on the command line (without dashes): a resumed run refuses some (./resume.ts). */
  readonly given: readonly string[];
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

const DEVNET_FLAGS = {
  operators: 'value',
  validators: 'value',
  'committee-size': 'value',
  threshold: 'value',
  'slot-seconds': 'value',
  'data-dir': 'value',
  fresh: 'boolean',
  port: 'value',
  epochs: 'value',
  'late-validators': 'value',
  'exit-request': 'value',
  fault: 'value',
  direct: 'boolean',
} as const;

/** undefined: --help was asked for. */
export function parseDevnetArguments(args: readonly string[]): DevnetOptions | undefined {
  const flags = parseFlags(args, DEVNET_FLAGS);
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
    !flags.has('direct') &&
    flags.has('threshold') &&
    Number(flags.value('threshold')) !== contractThreshold
  ) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--threshold',
      reason: `the contracts' threshold is 2n/3 + 1 = ${contractThreshold} (another needs --direct)`,
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
    contracts: !flags.has('direct'),
    lateValidators: lateValidators(flags),
    exitRequestEpoch: exitRequestEpoch(flags),
    fault: fault(flags, committeeSize),
    epochs: flags.has('epochs') ? integer('epochs', flags.value('epochs'), 0, 1, 10_000) : undefined,
    given: Object.keys(DEVNET_FLAGS).filter((name) => flags.has(name)),
  };
}

function fault(flags: Flags, committeeSize: number): DevnetFault | undefined {
  const f = parseFault(flags.value('fault'), committeeSize);
  if (f?.kind === 'equivocate' && flags.has('direct')) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--fault',
      reason: 'an equivocation is proven and punished by the contracts: not with --direct',
    });
  }
  return f;
}

function lateValidators(flags: Flags): number {
  const n = integer('late-validators', flags.value('late-validators'), 0, 0, 16);
  if (n > 0 && flags.has('direct')) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--late-validators',
      reason: 'validators join after genesis through the contracts: not with --direct',
    });
  }
  return n;
}

function exitRequestEpoch(flags: Flags): number | undefined {
  if (!flags.has('exit-request')) return undefined;
  if (flags.has('direct')) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--exit-request',
      reason: 'exits are requested through the contracts: not with --direct',
    });
  }
  return integer('exit-request', flags.value('exit-request'), 0, 1, 10_000);
}
