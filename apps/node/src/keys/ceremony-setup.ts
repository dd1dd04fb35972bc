// What `keys dkg` and `keys dkg --reshare` share: the ceremony flags, this operator's identity
// decrypted, its place in the ceremony file, the listen addresses, and the operator network started
// for the ceremony and stopped after it.
import type { Bls } from '@diva-dvt/bls-threshold';
import {
  createP2pNetwork,
  type DkgCeremonyProgress,
  loadRuntimeBls,
  type OperatorIdentity,
  type P2pNetwork,
  type PeerInfo,
  readIdentityKeystore,
  readPasswordFile,
} from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import { type FlagSpec, type Flags, integerFlag, parseFlags } from './flags.ts';

/** A DKG message is at most 1.6 MB (128 validators of 64 members); the network's default cap is 1 MiB. */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

type Out = (line: string) => void;

/** Prints a stage when it starts and when its count completes. */
export function progressPrinter(
  out: Out,
): (p: Pick<DkgCeremonyProgress, 'received' | 'expected'> & { stage: string }) => void {
  let last = '';
  return (p) => {
    const line =
      p.stage === 'done' || p.expected === 0
        ? p.stage
        : `${p.stage} ${Math.min(p.received, p.expected)}/${p.expected}`;
    if (p.stage === last.split(' ')[0] && p.received < p.expected) return;
    if (line === last) return;
    last = line;
    out(`[dkg] ${line}`);
  };
}

const CEREMONY_FLAGS: FlagSpec = {
  ceremony: 'value',
  'identity-keystore': 'value',
  'password-file': 'value',
  out: 'value',
  listen: 'values',
  'connect-timeout': 'value',
  'phase-timeout': 'value',
};

export interface CeremonySetup<C> {
  readonly flags: Flags;
  readonly ceremonyFile: string;
  readonly ceremony: C;
  readonly identityFile: string;
  readonly passwordFile: string;
  readonly outDir: string;
  readonly connectTimeoutMs: number;
  readonly phaseTimeoutMs: number;
  readonly identity: OperatorIdentity;
  /** The share keystores' password (the password file's). */
  readonly password: string;
  readonly bls: Bls;
  /** This operator's entry in the ceremony file. */
  readonly self: PeerInfo;
  /** `--listen`, or the ceremony file's multiaddrs of this operator. */
  readonly listen: readonly string[];
}

export interface ReadCeremonySetupParameters<C> {
  /** The command's flags beside the ceremony flags. */
  readonly extraFlags?: FlagSpec;
  readonly readCeremony: (file: string, bls: Bls) => Promise<C>;
  /** Everyone the ceremony file names: this operator must be one of them. */
  readonly participants: (ceremony: C) => readonly PeerInfo[];
  /** How an error names a ceremony file without this operator: `is not in`, `is in neither committee of`. */
  readonly notInCeremony: string;
}

/**
 * Reads the flags (required: --ceremony, --identity-keystore, --password-file, --out), the ceremony
 * file, the identity keystore and the password file. `INVALID_ARGUMENTS` names the flag at fault.
 */
export async function readCeremonySetup<C>(
  args: readonly string[],
  parameters: ReadCeremonySetupParameters<C>,
): Promise<CeremonySetup<C>> {
  const flags = parseFlags(args, { ...CEREMONY_FLAGS, ...parameters.extraFlags });
  const ceremonyFile = flags.required('ceremony');
  const identityFile = flags.required('identity-keystore');
  const passwordFile = flags.required('password-file');
  const outDir = flags.required('out');
  const seconds = (name: string, fallback: number) => {
    const value = flags.value(name);
    return (value === undefined ? fallback : integerFlag(value, `--${name}`, 1)) * 1000;
  };
  const connectTimeoutMs = seconds('connect-timeout', 300);
  const phaseTimeoutMs = seconds('phase-timeout', 30);
  const { bls } = await loadRuntimeBls();
  const ceremony = await parameters.readCeremony(ceremonyFile, bls);
  const identity = await readIdentityKeystore(identityFile, passwordFile);
  const password = await readPasswordFile(passwordFile);
  const self = parameters.participants(ceremony).find((o) => o.address === identity.address);
  if (self === undefined) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--identity-keystore',
      reason: `operator ${identity.address} ${parameters.notInCeremony} ${ceremonyFile}`,
    });
  }
  const listen = flags.values('listen');
  if (listen.length === 0) listen.push(...self.multiaddrs);
  if (listen.length === 0) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--listen',
      reason: `required: ${ceremonyFile} lists no multiaddrs for ${identity.address}`,
    });
  }
  const common = { ceremonyFile, identityFile, passwordFile, outDir, connectTimeoutMs, phaseTimeoutMs };
  return { ...common, flags, ceremony, identity, password, bls, self, listen };
}

/** Starts the operator network with this operator's identity, runs the ceremony on it, stops it. */
export async function withCeremonyNetwork<C, R>(
  setup: CeremonySetup<C>,
  ceremony: (network: P2pNetwork) => Promise<R>,
): Promise<R> {
  const network = createP2pNetwork({
    privateKey: setup.identity.secretKey,
    listen: [...setup.listen],
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  await network.start();
  try {
    return await ceremony(network);
  } finally {
    await network.stop();
  }
}
