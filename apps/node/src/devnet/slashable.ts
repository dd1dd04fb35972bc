// The slashable pairs in an EIP-3076 interchange file, found by an independent reading of the export
// (not the slashing-protection database's own rules): per validator key, two blocks of one slot with
// different signing roots (a double proposal), two attestations of one target epoch with different
// signing roots (a double vote), or one attestation's source and target strictly inside another's (a
// surround vote). A record without a signing root is taken as different from any other record. The
// devnet's fault rounds and the end-to-end tests check every operator's export with it: an honest
// node never signs a slashable pair, whatever crashes, partitions and slow beacon nodes it went through.

export interface SlashablePair {
  readonly pubkey: string;
  readonly kind: 'double-proposal' | 'double-vote' | 'surround-vote';
  /** The two records, as the file has them. */
  readonly first: Readonly<Record<string, string | undefined>>;
  readonly second: Readonly<Record<string, string | undefined>>;
}

interface Interchange {
  data?: {
    pubkey?: string;
    signed_blocks?: { slot?: string; signing_root?: string }[];
    signed_attestations?: { source_epoch?: string; target_epoch?: string; signing_root?: string }[];
  }[];
}

/** Every slashable pair in `interchange` (EIP-3076 JSON, parsed); [] when there is none. */
export function slashablePairs(interchange: unknown): SlashablePair[] {
  const out: SlashablePair[] = [];
  const differ = (a?: string, b?: string) => a === undefined || b === undefined || a !== b;
  for (const entry of (interchange as Interchange).data ?? []) {
    const pubkey = entry.pubkey ?? '?';
    const blocks = entry.signed_blocks ?? [];
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        const [a, b] = [blocks[i]!, blocks[j]!];
        if (a.slot === b.slot && differ(a.signing_root, b.signing_root))
          out.push({ pubkey, kind: 'double-proposal', first: a, second: b });
      }
    }
    const attestations = (entry.signed_attestations ?? []).map((a) => ({
      record: a,
      source: BigInt(a.source_epoch ?? '0'),
      target: BigInt(a.target_epoch ?? '0'),
    }));
    for (let i = 0; i < attestations.length; i++) {
      for (let j = i + 1; j < attestations.length; j++) {
        const [a, b] = [attestations[i]!, attestations[j]!];
        if (a.target === b.target && differ(a.record.signing_root, b.record.signing_root))
          out.push({ pubkey, kind: 'double-vote', first: a.record, second: b.record });
        const surrounds = (x: typeof a, y: typeof a) => x.source < y.source && y.target < x.target;
        if (surrounds(a, b) || surrounds(b, a))
          out.push({ pubkey, kind: 'surround-vote', first: a.record, second: b.record });
      }
    }
  }
  return out;
}

export interface ExportCheck {
  readonly operator: number;
  /** Records in the export (0 with `nothingSigned`). */
  readonly attestations: number;
  readonly blocks: number;
  readonly nothingSigned?: true;
  readonly slashable: readonly SlashablePair[];
}

/**
 * Exports each stopped operator's slashing protection (`diva-node slashing-protection export`, to
 * `<dir>/slashing-protection-export.json`) and checks the file for slashable pairs.
 */
export async function checkSlashingExports(
  operators: readonly { readonly configFile: string; readonly dir: string }[],
): Promise<ExportCheck[]> {
  const { runSlashingCommand } = await import('../keys/slashing-commands.ts');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const out: ExportCheck[] = [];
  for (const [operator, op] of operators.entries()) {
    const file = join(op.dir, 'slashing-protection-export.json');
    try {
      await runSlashingCommand('export', ['--config', op.configFile, '--file', file], () => undefined);
    } catch {
      out.push({ operator, attestations: 0, blocks: 0, nothingSigned: true, slashable: [] });
      continue;
    }
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Interchange;
    const count = (f: 'signed_blocks' | 'signed_attestations') =>
      (parsed.data ?? []).reduce((n, d) => n + (d[f]?.length ?? 0), 0);
    out.push({
      operator,
      attestations: count('signed_attestations'),
      blocks: count('signed_blocks'),
      slashable: slashablePairs(parsed),
    });
  }
  return out;
}
