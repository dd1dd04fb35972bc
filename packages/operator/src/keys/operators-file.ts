// The operators a staking team splits a key among: an operators file is JSON with the `operators`
// list of a cluster file (address, p2pPublicKey, multiaddrs), so any cluster file is one too. It is
// checked exactly as a cluster file is (addresses derived from the p2p keys, no operator twice),
// with errors naming the file and the field. Each operator's share password comes from a password
// file, given one per operator or as a directory holding `<address>.txt` per operator.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';
import type { PeerInfo } from '../p2p/types.ts';

export interface ReadOperatorsFileOptions {
  /**
   * The committee: these operators, in this order (share index i + 1 for the i-th). Default: every
   * operator of the file in the file's order.
   */
  readonly committee?: readonly string[];
}

/**
 * Reads an operators file (or a cluster file) and returns the committee. `INVALID_CLUSTER_FILE`
 * names the file and field of a malformed entry or an operator listed twice; `INVALID_OPTION`
 * (`committee[i]`) an address not in the file or chosen twice; `FILE_ACCESS_FAILED` an unreadable file.
 */
export async function readOperatorsFile(
  path: string,
  options: ReadOperatorsFileOptions = {},
): Promise<PeerInfo[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OperatorError({
      code: 'INVALID_CLUSTER_FILE',
      file: path,
      field: '(root)',
      reason: 'not valid JSON',
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new OperatorError({
      code: 'INVALID_CLUSTER_FILE',
      file: path,
      field: '(root)',
      reason: 'expected an object',
    });
  }
  const o = json as Record<string, unknown>;
  // An operators file may omit what only a cluster file needs; the validators (if any) are checked too.
  const asCluster = { version: 1, validators: [], ...o };
  const { operators } = parseClusterFile(JSON.stringify(asCluster), { file: path });
  if (operators.length === 0) {
    throw new OperatorError({
      code: 'INVALID_CLUSTER_FILE',
      file: path,
      field: 'operators',
      reason: 'expected at least one operator',
    });
  }
  if (options.committee === undefined) return [...operators];
  const chosen: PeerInfo[] = [];
  for (const [i, address] of options.committee.entries()) {
    const wanted = address.toLowerCase();
    const operator = operators.find((p) => p.address === wanted);
    if (operator === undefined) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `committee[${i}]`,
        reason: `operator ${address} is not in ${path}`,
      });
    }
    if (chosen.includes(operator)) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `committee[${i}]`,
        reason: `operator ${address} is chosen twice`,
      });
    }
    chosen.push(operator);
  }
  return chosen;
}

/** The password file of each operator in a password directory: `<dir>/<lower-case address>.txt`. */
export function operatorPasswordFiles(
  dir: string,
  operators: readonly { readonly address: OperatorAddress }[],
): string[] {
  return operators.map((o) => join(dir, `${o.address.toLowerCase()}.txt`));
}
