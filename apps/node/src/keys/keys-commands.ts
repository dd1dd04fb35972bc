// `diva-node keys split|import|list|delete`: flags and the node configuration in, one call to
// @diva-dvt/operator's key tooling, a short report out. See ./command.ts for help and errors.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  deleteKeyShare,
  importShareKeystore,
  listKeyShares,
  loadIdentity,
  loadRuntimeBls,
  lockDataDir,
  OperatorError,
  operatorPasswordFiles,
  readClusterFile,
  readOperatorsFile,
  sealedPasswordFileName,
  splitKeystore,
} from '@diva-dvt/operator';
import { readNodeConfig } from '../config.ts';
import { DivaNodeError } from '../errors.ts';
import { hexFlag, integerFlag, parseFlags } from './flags.ts';
import { openNodeSlashingProtection } from './slashing-commands.ts';

type Out = (line: string) => void;
const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

async function split(args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(args, {
    keystore: 'value',
    'password-file': 'value',
    operators: 'value',
    'operator-passwords': 'value',
    'operator-password-file': 'values',
    'seal-passwords': 'boolean',
    committee: 'values',
    threshold: 'value',
    out: 'value',
    cluster: 'value',
    'validator-index': 'value',
  });
  const keystoreFile = flags.required('keystore');
  const passwordFile = flags.required('password-file');
  const operatorsFile = flags.required('operators');
  const outDir = flags.required('out');
  const passwordsDir = flags.value('operator-passwords');
  const passwordFiles = flags.values('operator-password-file');
  const seal = flags.has('seal-passwords');
  if ([passwordsDir !== undefined, passwordFiles.length > 0, seal].filter(Boolean).length !== 1) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--operator-passwords',
      reason:
        'give one of a password directory, one --operator-password-file per operator, or --seal-passwords',
    });
  }
  const committee = flags.values('committee');
  const operators = await readOperatorsFile(operatorsFile, committee.length > 0 ? { committee } : {});
  const n = operators.length;
  if (passwordFiles.length > 0 && passwordFiles.length !== n) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--operator-password-file',
      reason: `given ${passwordFiles.length} times for a committee of ${n} operators`,
    });
  }
  const thresholdFlag = flags.value('threshold');
  const threshold =
    thresholdFlag === undefined ? Math.ceil((2 * n) / 3) : integerFlag(thresholdFlag, '--threshold', 1);
  if (threshold > n) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--threshold',
      reason: `at most the committee size, ${n}`,
    });
  }
  const indexFlag = flags.value('validator-index');
  // blst (when it loads) checks a large cluster file's committees about 30 times faster than noble
  const { bls } = await loadRuntimeBls();
  const result = await splitKeystore({
    bls,
    keystoreFile,
    passwordFile,
    operators,
    threshold,
    ...(seal
      ? { sealPasswords: true }
      : {
          sharePasswordFiles:
            passwordsDir === undefined ? passwordFiles : operatorPasswordFiles(passwordsDir, operators),
        }),
    outDir,
    clusterFile: flags.value('cluster') ?? join(outDir, 'cluster.json'),
    ...(indexFlag === undefined ? {} : { validatorIndex: integerFlag(indexFlag, '--validator-index', 0) }),
  });
  out(`validator ${hex(result.groupPublicKey)}: ${threshold} of ${n}`);
  for (const share of result.shares) {
    const sealed =
      share.sealedPasswordFile === undefined ? '' : ` (password sealed: ${share.sealedPasswordFile})`;
    out(`  share ${share.shareIndex} for ${share.operator}: ${share.file}${sealed}`);
  }
  out(`cluster file: ${result.clusterFile}`);
}

async function importShare(args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(args, {
    config: 'value',
    keystore: 'value',
    'password-file': 'value',
    'sealed-password-file': 'value',
    cluster: 'value',
  });
  const config = await readNodeConfig(flags.required('config'));
  const keystoreFile = flags.required('keystore');
  const passwordFile = flags.value('password-file');
  let sealedPasswordFile = flags.value('sealed-password-file');
  if (passwordFile !== undefined && sealedPasswordFile !== undefined) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--sealed-password-file',
      reason: 'give either --password-file or --sealed-password-file',
    });
  }
  // A split with --seal-passwords leaves the sealed password beside the keystore.
  if (passwordFile === undefined && sealedPasswordFile === undefined) {
    const beside = sealedPasswordFileName(keystoreFile);
    if (!existsSync(beside)) {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: '--password-file',
        reason: `required (no sealed password ${beside} beside the keystore)`,
      });
    }
    sealedPasswordFile = beside;
  }
  const { bls } = await loadRuntimeBls();
  const imported = await importShareKeystore({
    bls,
    keystoreFile,
    ...(passwordFile === undefined ? { sealedPasswordFile: sealedPasswordFile! } : { passwordFile }),
    keysDir: config.keys.dir,
    keysPasswordFile: config.keys.passwordFile,
    clusterFile: flags.value('cluster') ?? clusterOf(config),
  });
  out(`imported share ${imported.shareIndex} of validator ${hex(imported.groupPublicKey)}: ${imported.file}`);
  out('restart the node to sign with it');
}

async function list(args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(args, { config: 'value', json: 'boolean' });
  const config = await readNodeConfig(flags.required('config'));
  const identity = await loadIdentity({ dir: config.keys.dir, passwordFile: config.keys.passwordFile });
  const { bls } = await loadRuntimeBls();
  const cluster = await readClusterFile(clusterOf(config), { checkKeysOf: identity.address, bls });
  const entries = await listKeyShares({ keysDir: config.keys.dir, cluster, self: identity.address });
  if (flags.has('json')) {
    const json = entries.map((e) => ({
      groupPublicKey: hex(e.groupPublicKey),
      shareIndex: e.shareIndex,
      publicShare: e.publicShare === undefined ? null : hex(e.publicShare),
      status: e.status ?? null,
      file: e.file,
    }));
    out(JSON.stringify(json, null, 2));
    return;
  }
  if (entries.length === 0) out(`no key shares in ${config.keys.dir}`);
  for (const e of entries)
    out(`${hex(e.groupPublicKey)}  share ${e.shareIndex}  ${e.status ?? ''}  ${e.file}`);
}

async function remove(args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(args, {
    config: 'value',
    pubkey: 'value',
    export: 'value',
    'genesis-validators-root': 'value',
  });
  const config = await readNodeConfig(flags.required('config'));
  const groupPublicKey = hexFlag(flags.required('pubkey'), '--pubkey', 48);
  const rootFlag = flags.value('genesis-validators-root');
  const root = rootFlag === undefined ? undefined : hexFlag(rootFlag, '--genesis-validators-root', 32);
  // An unknown key is named before anything else is asked for (the lock, a database root).
  const held = await listKeyShares({ keysDir: config.keys.dir });
  if (!held.some((e) => Buffer.compare(e.groupPublicKey, groupPublicKey) === 0)) {
    throw new OperatorError({
      code: 'UNKNOWN_PUBKEY',
      pubkey: hex(groupPublicKey) as `0x${string}`,
      where: config.keys.dir,
    });
  }
  const lock = await lockDataDir(config.dataDir);
  try {
    const protection = await openNodeSlashingProtection(config.dataDir, root);
    try {
      const exportFile =
        flags.value('export') ??
        join(
          config.dataDir,
          `slashing-protection-${hex(groupPublicKey)}-${Math.floor(Date.now() / 1000)}.json`,
        );
      const deleted = await deleteKeyShare({
        keysDir: config.keys.dir,
        groupPublicKey,
        protection,
        exportFile,
      });
      out(`slashing-protection export: ${deleted.exportFile}`);
      for (const file of deleted.files) out(`deleted ${file}`);
    } finally {
      await protection.close();
    }
  } finally {
    await lock.release();
  }
}

export async function runKeysCommand(sub: string, args: readonly string[], out: Out): Promise<void> {
  if (sub === 'split') return split(args, out);
  if (sub === 'import') return importShare(args, out);
  if (sub === 'list') return list(args, out);
  return remove(args, out);
}

/** The configuration's cluster file; a node whose committees come from the contracts has none. */
function clusterOf(config: { readonly cluster: string | undefined }): string {
  if (config.cluster === undefined) {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--config',
      reason: 'its committees come from the contracts (no `cluster` file): keys there come from ceremonies',
    });
  }
  return config.cluster;
}
