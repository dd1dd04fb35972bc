// `diva-node keys …` and `diva-node slashing-protection …`: the help texts, the dispatch to the
// thin wrappers in ./keys-commands.ts and ./slashing-commands.ts (over @diva-dvt/operator's key
// tooling), and the one-line error: `diva-node keys split: <what, which file, which field>` on
// stderr. Exit status: 0 done, 1 bad input (a file, a key, a password) or a failure, 2 bad command line
// or node configuration. A failed command leaves no half-written file (the library writes to a
// temporary file and renames, and removes what the run wrote on failure).
import { isDivaNodeError } from '../errors.ts';
import { DKG_HELP } from './dkg-help.ts';

export const KEYS_HELP = `diva-node keys - validator key shares

Usage:
  diva-node keys split    trusted-dealer split of an EIP-2335 keystore into share keystores and a cluster file
  diva-node keys import   import a share keystore into this node's key directory
  diva-node keys list     list the key shares this node holds
  diva-node keys delete   delete a validator's share, after exporting its slashing protection
  diva-node keys dkg      create validator keys with the other operators (DKG ceremony over libp2p)

diva-node keys <command> --help describes each one.
Exit status: 0 done, 1 bad input (the message names the file and field), 2 bad command line.`;

export const SLASHING_HELP = `diva-node slashing-protection - EIP-3076 interchange files

Usage:
  diva-node slashing-protection import --config FILE --file INTERCHANGE [--genesis-validators-root HEX]
  diva-node slashing-protection export --config FILE --file OUT [--pubkey HEX]...

import  merges an EIP-3076 (version 5) interchange into the node's slashing-protection database
        (<dataDir>/slashing-protection.sqlite) in one transaction: its highest slot and epochs
        become low watermarks. A database that does not exist yet is created, for the chain given
        by --genesis-validators-root (the beacon node's /eth/v1/beacon/genesis).
export  writes the whole database, or the validators given with --pubkey (repeatable or
        comma-separated), as an EIP-3076 interchange to OUT (which must not exist).

Both take the data-directory lock: stop the node first.
Exit status: 0 done, 1 bad input (the message names the file and field), 2 bad command line.`;

export const KEYS_SUBCOMMAND_HELP: Readonly<Record<string, string>> = {
  dkg: DKG_HELP,
  split: `diva-node keys split - split an existing validator key among a committee (trusted dealer)

Usage:
  diva-node keys split --keystore FILE --password-file FILE --operators FILE --out DIR
                       (--operator-passwords DIR | --operator-password-file FILE ... | --seal-passwords)
                       [--committee ADDRESS,...] [--threshold T] [--cluster FILE] [--validator-index N]

--keystore / --password-file   the validator's EIP-2335 keystore and its password file
--operators                    JSON {"operators": [{address, p2pPublicKey, multiaddrs}]} (a cluster
                               file is one too); the committee is every operator listed, in order
                               (share index 1, 2, ...), or those named by --committee
--operator-passwords DIR       one password file per operator: DIR/<address>.txt
--operator-password-file FILE  or one per operator, repeated, in committee order
--seal-passwords               or no passwords to share: each keystore gets a random password,
                               sealed to its operator's identity key (p2pPublicKey in the operators
                               file) beside it as keystore-<validator key>-<i>.password.sealed; only
                               that operator's node opens it (keys import finds it by itself)
--threshold T                  default ceil(2n/3): 11 of 16
--out DIR                      receives DIR/<address>/keystore-<validator key>-<share index>.json
--cluster FILE                 the cluster file to write (default DIR/cluster.json); if it exists the
                               validator is added to it

The key is decrypted in memory only. Every share keystore is read back with its operator's password
and the cluster file is checked (the public shares interpolate to the validator key) before it is
written; on any failure what this run wrote is removed. Send each operator its directory and the
cluster file.`,
  import: `diva-node keys import - add a share keystore to this node's key directory

Usage:
  diva-node keys import --config FILE --keystore FILE [--password-file FILE | --sealed-password-file FILE]
                        [--cluster FILE]

The keystore is decrypted with its password file, or with its password sealed to this node's
identity (--sealed-password-file; default: keystore-….password.sealed beside the keystore, when no
--password-file is given), and stored re-encrypted to the node's password
(keys.passwordFile of the configuration) as keys.dir/keystore-<validator key>-<share index>.json.
The cluster file (default: the configuration's) must give that share to this node's operator.
Restart the node to sign with it.`,
  list: `diva-node keys list - the key shares in this node's key directory

Usage:
  diva-node keys list --config FILE [--json]

One line per share: validator key, share index, status against the cluster file (active,
not-in-cluster, mismatch) and the keystore file. Keystores are not decrypted.`,
  delete: `diva-node keys delete - remove a validator's share from this node

Usage:
  diva-node keys delete --config FILE --pubkey HEX [--export FILE] [--genesis-validators-root HEX]

Writes the validator's EIP-3076 slashing-protection export first (default
<dataDir>/slashing-protection-<pubkey>-<unix time>.json), then deletes its keystore. The database
keeps the records. Takes the data-directory lock: stop the node first, and remove the validator from
the cluster file (or the node will not start without its share).`,
};

const SLASHING_SUBCOMMANDS = ['import', 'export'];

function exitStatusOf(error: unknown): number {
  return isDivaNodeError(error, 'INVALID_ARGUMENTS') ||
    isDivaNodeError(error, 'INVALID_CONFIG') ||
    isDivaNodeError(error, 'CONFIG_UNREADABLE')
    ? 2
    : 1;
}

/** Runs `diva-node keys …` (`tool` 'keys') or `diva-node slashing-protection …`; returns the exit status. */
export async function runKeyTool(
  tool: 'keys' | 'slashing-protection',
  args: readonly string[],
): Promise<number> {
  const [sub, ...rest] = args;
  const helpOf = (s: string | undefined) =>
    tool === 'keys'
      ? s === undefined
        ? undefined
        : KEYS_SUBCOMMAND_HELP[s]
      : SLASHING_SUBCOMMANDS.includes(s ?? '')
        ? SLASHING_HELP
        : undefined;
  const prefix = `diva-node ${tool}${sub !== undefined && helpOf(sub) !== undefined ? ` ${sub}` : ''}`;
  try {
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(`${tool === 'keys' ? KEYS_HELP : SLASHING_HELP}\n`);
      return sub === undefined ? 2 : 0;
    }
    const help = helpOf(sub);
    if (help === undefined) {
      process.stderr.write(`diva-node ${tool}: ${sub}: unknown command (see diva-node ${tool} --help)\n`);
      return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    if (tool === 'keys' && sub === 'dkg') {
      const { runDkgCommand } = await import('./dkg-command.ts');
      await runDkgCommand(rest, out);
    } else if (tool === 'keys') {
      const { runKeysCommand } = await import('./keys-commands.ts');
      await runKeysCommand(sub, rest, out);
    } else {
      const { runSlashingCommand } = await import('./slashing-commands.ts');
      await runSlashingCommand(sub, rest, out);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // One line: a library message quoting a multi-line cause is flattened.
    process.stderr.write(`${prefix}: ${message.replace(/\s*\n\s*/g, '; ')}\n`);
    return exitStatusOf(error);
  }
}
