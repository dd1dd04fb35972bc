// `diva-node keys dkg`: flags in, this operator's identity decrypted, the operator network started
// on its listen address (./ceremony-setup.ts), @diva-dvt/operator's `runDkgCeremony`, progress and
// the outputs printed, the network stopped. See ./command.ts for the help text and the one-line errors.
import { readCeremonyFile, runDkgCeremony } from '@diva-dvt/operator';
import { progressPrinter, readCeremonySetup, withCeremonyNetwork } from './ceremony-setup.ts';

type Out = (line: string) => void;
const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

export async function runDkgCommand(args: readonly string[], out: Out): Promise<void> {
  if (args.includes('--reshare')) {
    const { runReshareCommand } = await import('./reshare-command.ts');
    return runReshareCommand(args, out);
  }
  const setup = await readCeremonySetup(args, {
    readCeremony: (file) => readCeremonyFile(file),
    participants: (c) => c.operators,
    notInCeremony: 'is not in',
  });
  const { ceremony, identity } = setup;
  out(
    `ceremony: ${ceremony.validatorCount} validator${ceremony.validatorCount === 1 ? '' : 's'}, ${ceremony.threshold} of ${ceremony.operators.length}, as ${identity.address}`,
  );
  await withCeremonyNetwork(setup, async (network) => {
    const started = Date.now();
    const result = await runDkgCeremony({
      identityKey: identity.secretKey,
      ceremony,
      network,
      outDir: setup.outDir,
      password: setup.password,
      bls: setup.bls,
      connectTimeoutMs: setup.connectTimeoutMs,
      phaseTimeoutMs: setup.phaseTimeoutMs,
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
  });
}
