// `diva-node keys dkg --reshare`: a resharing ceremony (@diva-dvt/operator's `runReshareCeremony`).
// An old member's current shares come from its key directory (default: the identity keystore's
// directory, as in a node's keys.dir), decrypted with the same password file and checked against
// the ceremony file's public shares; a new member that held no share needs none.
import { dirname } from 'node:path';
import type { SecretKey } from '@diva-dvt/bls-threshold';
import {
  createP2pNetwork,
  loadKeyShares,
  loadRuntimeBls,
  readIdentityKeystore,
  readPasswordFile,
  readReshareFile,
  runReshareCeremony,
} from '@diva-dvt/operator';
import { DivaNodeError } from '../errors.ts';
import { MAX_MESSAGE_BYTES, progressPrinter } from './dkg-command.ts';
import { integerFlag, parseFlags } from './flags.ts';

type Out = (line: string) => void;
const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

export async function runReshareCommand(args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(args, {
    reshare: 'boolean',
    ceremony: 'value',
    'identity-keystore': 'value',
    'password-file': 'value',
    'keys-dir': 'value',
    out: 'value',
    listen: 'values',
    'connect-timeout': 'value',
    'phase-timeout': 'value',
  });
  const ceremonyFile = flags.required('ceremony');
  const identityFile = flags.required('identity-keystore');
  const passwordFile = flags.required('password-file');
  const outDir = flags.required('out');
  const keysDir = flags.value('keys-dir') ?? dirname(identityFile);
  const seconds = (name: string, fallback: number) => {
    const value = flags.value(name);
    return (value === undefined ? fallback : integerFlag(value, `--${name}`, 1)) * 1000;
  };
  const connectTimeoutMs = seconds('connect-timeout', 300);
  const phaseTimeoutMs = seconds('phase-timeout', 30);
  const { bls } = await loadRuntimeBls();
  const ceremony = await readReshareFile(ceremonyFile, bls);
  const identity = await readIdentityKeystore(identityFile, passwordFile);
  const password = await readPasswordFile(passwordFile);
  const self = [...ceremony.operators, ...ceremony.oldMembers].find((o) => o.address === identity.address);
  if (self === undefined) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--identity-keystore',
      reason: `operator ${identity.address} is in neither committee of ${ceremonyFile}`,
    });
  }
  const isOld = ceremony.oldMembers.some((o) => o.address === identity.address);
  const existingShares = new Map<string, SecretKey>();
  if (isOld) {
    const loaded = await loadKeyShares({
      dir: keysDir,
      passwordFile,
      committees: ceremony.validators,
      self: identity.address,
    });
    for (const [key, share] of loaded) existingShares.set(key, share.secretShare.secretKey);
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
  const network = createP2pNetwork({
    privateKey: identity.secretKey,
    listen,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  const n = ceremony.validators.length;
  out(
    `resharing: ${n} validator${n === 1 ? '' : 's'}, ${ceremony.oldThreshold} of ${ceremony.oldMembers.length} -> ${ceremony.threshold} of ${ceremony.operators.length}, as ${identity.address} (${isOld ? 'old member' : 'joining'}${ceremony.operators.some((o) => o.address === identity.address) ? '' : ', leaving'})`,
  );
  await network.start();
  try {
    const started = Date.now();
    const result = await runReshareCeremony({
      identityKey: identity.secretKey,
      ceremony,
      network,
      ...(isOld ? { existingShares } : {}),
      outDir,
      password,
      bls,
      connectTimeoutMs,
      phaseTimeoutMs,
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
  } finally {
    await network.stop();
  }
}
