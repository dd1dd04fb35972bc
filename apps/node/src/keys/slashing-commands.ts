// `diva-node slashing-protection import|export`: EIP-3076 interchange files in and out of the
// node's slashing-protection database, under the data-directory lock. See ./command.ts for help.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exportInterchangeFile,
  importInterchangeFile,
  isOperatorError,
  lockDataDir,
  openSlashingProtectionFile,
  readSlashingProtectionRoot,
  type SlashingProtection,
} from '@diva-dvt/operator';
import { readNodeConfig } from '../config.ts';
import { DivaNodeError } from '../errors.ts';
import { hexFlag, parseFlags } from './flags.ts';

type Out = (line: string) => void;

/** The database file of a data directory: the name `diva-node run` opens. */
export const SLASHING_PROTECTION_FILE = 'slashing-protection.sqlite';

/**
 * Opens the data directory's database: its own root, or `root` for a new one (a missing root for a
 * new database is a command-line error naming the flag).
 */
export async function openNodeSlashingProtection(
  dataDir: string,
  root: Uint8Array | undefined,
): Promise<SlashingProtection> {
  const path = join(dataDir, SLASHING_PROTECTION_FILE);
  try {
    return await openSlashingProtectionFile({ path, ...(root ? { genesisValidatorsRoot: root } : {}) });
  } catch (error) {
    if (isOperatorError(error, 'INVALID_OPTION') && error.details.option === 'genesisValidatorsRoot') {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: '--genesis-validators-root',
        reason: `required: ${path} does not exist yet (the chain's root is at the beacon node's /eth/v1/beacon/genesis)`,
      });
    }
    throw error;
  }
}

export async function runSlashingCommand(sub: string, args: readonly string[], out: Out): Promise<void> {
  const flags = parseFlags(
    args,
    sub === 'import'
      ? { config: 'value', file: 'value', 'genesis-validators-root': 'value' }
      : { config: 'value', file: 'value', pubkey: 'values' },
  );
  const config = await readNodeConfig(flags.required('config'));
  const file = flags.required('file');
  const rootFlag = flags.value('genesis-validators-root');
  const root = rootFlag === undefined ? undefined : hexFlag(rootFlag, '--genesis-validators-root', 32);
  const pubkeys = flags.values('pubkey').map((p, i) => hexFlag(p, `--pubkey (${i + 1})`, 48));
  if (sub === 'import') {
    await mkdir(config.dataDir, { recursive: true });
  } else if (
    (await readSlashingProtectionRoot(join(config.dataDir, SLASHING_PROTECTION_FILE))) === undefined
  ) {
    throw new DivaNodeError({
      code: 'INVALID_INPUT',
      file: join(config.dataDir, SLASHING_PROTECTION_FILE),
      field: '(file)',
      reason: 'does not exist: this node has signed nothing yet',
    });
  }
  const lock = await lockDataDir(config.dataDir);
  try {
    const path = join(config.dataDir, SLASHING_PROTECTION_FILE);
    const isNew = (await readSlashingProtectionRoot(path)) === undefined;
    const protection = await openNodeSlashingProtection(config.dataDir, root);
    try {
      if (sub === 'import') {
        const s = await importInterchangeFile(protection, file).catch(async (error: unknown) => {
          // A database this run created for a refused interchange goes again: nothing half-made stays.
          if (isNew) {
            await protection.close();
            for (const suffix of ['', '-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
          }
          throw error;
        });
        out(
          `imported ${s.validators} validators (${s.blocks} blocks, ${s.attestations} attestations) into ${protection.path}`,
        );
      } else {
        const { summary: s } = await exportInterchangeFile(
          protection,
          file,
          pubkeys.length > 0 ? pubkeys : undefined,
        );
        out(
          `exported ${s.validators} validators (${s.blocks} blocks, ${s.attestations} attestations) to ${file}`,
        );
      }
    } finally {
      await protection.close();
    }
  } finally {
    await lock.release();
  }
}
