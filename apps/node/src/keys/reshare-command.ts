// `diva-node keys dkg --reshare`: a resharing ceremony (@diva-dvt/operator's `runReshareCeremony`).
// An old member's current shares come from its key directory (default: the identity keystore's
// directory, as in a node's keys.dir), decrypted with the same password file and checked against
// the ceremony file's public shares; a new member that held no share needs none, nor does an old
// member that stays but lost its shares (`--lost-shares`: it deals nothing and receives new ones).
import { dirname } from 'node:path';
import type { SecretKey } from '@diva-dvt/bls-threshold';
import { loadKeyShares, readReshareFile, runReshareCeremony } from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import { progressPrinter, readCeremonySetup, withCeremonyNetwork } from './ceremony-setup.ts';

type Out = (line: string) => void;
const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

export async function runReshareCommand(args: readonly string[], out: Out): Promise<void> {
  const setup = await readCeremonySetup(args, {
    extraFlags: { reshare: 'boolean', 'keys-dir': 'value', 'lost-shares': 'boolean' },
    readCeremony: (file, bls) => readReshareFile(file, bls),
    participants: (c) => [...c.operators, ...c.oldMembers],
    notInCeremony: 'is in neither committee of',
  });
  const { ceremony, identity } = setup;
  const keysDir = setup.flags.value('keys-dir') ?? dirname(setup.identityFile);
  const isOld = ceremony.oldMembers.some((o) => o.address === identity.address);
  const lostShares = setup.flags.has('lost-shares');
  if (lostShares && setup.flags.has('keys-dir')) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--lost-shares',
      reason: 'an old member without its shares reads no --keys-dir',
    });
  }
  const existingShares = new Map<string, SecretKey>();
  if (isOld && !lostShares) {
    const loaded = await loadKeyShares({
      dir: keysDir,
      passwordFile: setup.passwordFile,
      committees: ceremony.validators,
      self: identity.address,
    });
    for (const [key, share] of loaded) existingShares.set(key, share.secretShare.secretKey);
  }
  const n = ceremony.validators.length;
  out(
    `resharing: ${n} validator${n === 1 ? '' : 's'}, ${ceremony.oldThreshold} of ${ceremony.oldMembers.length} -> ${ceremony.threshold} of ${ceremony.operators.length}, as ${identity.address} (${isOld ? (lostShares ? 'old member without its shares' : 'old member') : 'joining'}${ceremony.operators.some((o) => o.address === identity.address) ? '' : ', leaving'})`,
  );
  await withCeremonyNetwork(setup, async (network) => {
    const started = Date.now();
    const result = await runReshareCeremony({
      identityKey: identity.secretKey,
      ceremony,
      network,
      ...(isOld && !lostShares ? { existingShares } : {}),
      ...(lostShares ? { lostShares } : {}),
      outDir: setup.outDir,
      password: setup.password,
      bls: setup.bls,
      connectTimeoutMs: setup.connectTimeoutMs,
      phaseTimeoutMs: setup.phaseTimeoutMs,
      onProgress: progressPrinter(out),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out(
      `done in ${seconds} s; ${result.shareIndex === undefined ? 'this operator leaves the committee (no new share)' : `new share index ${result.shareIndex}`}`,
    );
    if (result.excludedDealers.length > 0) {
      out(`old members left out (absent or disqualified): ${result.excludedDealers.join(', ')}`);
    }
    for (const [i, key] of result.groupPublicKeys.entries()) {
      out(`validator ${hex(key)}: ${result.keystores[i] ?? 'no share'}`);
    }
    out(`cluster file: ${result.clusterFile}`);
  });
}
