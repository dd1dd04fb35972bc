// `diva-node keys dkg`: flags in, this operator's identity decrypted, the operator network started
// on its listen address, @diva-dvt/operator's `runDkgCeremony`, progress and the outputs printed,
// the network stopped. See ./command.ts for the help text and the one-line errors.
import {
  createP2pNetwork,
  type DkgCeremonyProgress,
  loadRuntimeBls,
  readCeremonyFile,
  readIdentityKeystore,
  readPasswordFile,
  runDkgCeremony,
} from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import { integerFlag, parseFlags } from './flags.ts';

type Out = (line: string) => void;
const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

/** A DKG message is at most 1.6 MB (128 validators of 64 members); the network's default cap is 1 MiB. */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

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

export async function runDkgCommand(args: readonly string[], out: Out): Promise<void> {
  if (args.includes('--reshare')) {
    const { runReshareCommand } = await import('./reshare-command.ts');
    return runReshareCommand(args, out);
  }
  const flags = parseFlags(args, {
    ceremony: 'value',
    'identity-keystore': 'value',
    'password-file': 'value',
    out: 'value',
    listen: 'values',
    'connect-timeout': 'value',
    'phase-timeout': 'value',
  });
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
  const ceremony = await readCeremonyFile(ceremonyFile);
  const identity = await readIdentityKeystore(identityFile, passwordFile);
  const password = await readPasswordFile(passwordFile);
  const self = ceremony.operators.find((o) => o.address === identity.address);
  if (self === undefined) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--identity-keystore',
      reason: `operator ${identity.address} is not in ${ceremonyFile}`,
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
  const { bls } = await loadRuntimeBls();
  const network = createP2pNetwork({
    privateKey: identity.secretKey,
    listen,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  out(
    `ceremony: ${ceremony.validatorCount} validator${ceremony.validatorCount === 1 ? '' : 's'}, ${ceremony.threshold} of ${ceremony.operators.length}, as ${identity.address}`,
  );
  await network.start();
  try {
    const started = Date.now();
    const result = await runDkgCeremony({
      identityKey: identity.secretKey,
      ceremony,
      network,
      outDir,
      password,
      bls,
      connectTimeoutMs,
      phaseTimeoutMs,
      onProgress: progressPrinter(out),
    });
    out(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; share index ${result.shareIndex}`);
    for (const [i, key] of result.groupPublicKeys.entries())
      out(`validator ${hex(key)}: ${result.keystores[i]}`);
    out(`cluster file: ${result.clusterFile}`);
    out(`deposit data: ${result.depositDataFile}`);
    if (result.missingDepositSigners.length > 0) {
      // t shares signed the deposits; these members may have no keystore: ask them, reshare if lost.
      out(
        `warning: no deposit signature share from ${result.missingDepositSigners.join(', ')} (t of ${result.cluster.validators[0]?.members.length} signed); check that they hold their keystores`,
      );
    }
  } finally {
    await network.stop();
  }
}
