// deposit_data-*.json as the deposit CLIs write it: every entry of ../shared/vectors/deposit-data
// (staking-deposit-cli 2.7.0 and ethstaker-deposit-cli 1.2.2) is read with full validation (both
// roots recomputed, the BLS signature verified with blst over our deposit signing root), written
// back byte for byte, and rebuilt from its fields; corrupted entries are rejected by field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublicKey, Signature, verify } from '@chainsafe/blst';
import { vectorsDir } from '@diva-dvt/test-vectors';
import { describe, expect, it } from 'vitest';
import { BeaconApiError } from '../src/index.ts';
import {
  createDepositDataJson,
  type DepositDataJson,
  depositSigningRoot,
  parseDepositDataFile,
  serializeDepositDataFile,
} from '../src/spec.ts';

const root = vectorsDir('deposit-data');

function depositFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/^deposit_data-.*\.json$/.test(e.name)) out.push(join(dir, e.name));
    }
  };
  walk(root);
  return out.sort();
}

const blsVerify = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array) =>
  verify(msg, PublicKey.fromBytes(pk, true), Signature.fromBytes(sig, true));

const files = depositFiles();

describe('deposit data vectors', () => {
  it('finds the 12 vendored files with 21 entries', () => {
    expect(files.length).toBe(12);
    const entries = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown[]);
    expect(entries.length).toBe(21);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))(
    '%s: reads, verifies and writes back byte for byte',
    (_n, file) => {
      const text = readFileSync(file, 'utf8');
      const parsed = JSON.parse(text) as DepositDataJson[];
      const forkVersion = Uint8Array.from(Buffer.from(parsed[0]?.fork_version ?? '', 'hex'));
      const entries = parseDepositDataFile(text, { forkVersion, verifySignature: blsVerify });
      expect(entries.length).toBe(parsed.length);
      const indent = text.startsWith('[\n') ? 4 : 0;
      expect(serializeDepositDataFile(parsed, { indent })).toBe(text.trimEnd());
      const rebuilt = entries.map((e) =>
        createDepositDataJson({
          pubkey: e.data.pubkey,
          withdrawalCredentials: e.data.withdrawalCredentials,
          amountGwei: e.data.amount,
          signature: e.data.signature,
          forkVersion: e.forkVersion,
          networkName: e.networkName,
          depositCliVersion: e.depositCliVersion,
        }),
      );
      expect(serializeDepositDataFile(rebuilt, { indent })).toBe(text.trimEnd());
    },
  );
});

describe('deposit data validation', () => {
  const file = files[0] as string;
  const good = JSON.parse(readFileSync(file, 'utf8')) as DepositDataJson[];
  const fv = Uint8Array.from(Buffer.from(good[0]?.fork_version ?? '', 'hex'));
  const mutate = (f: (e: DepositDataJson) => void) => {
    const copy = structuredClone(good);
    f(copy[0] as DepositDataJson);
    return JSON.stringify(copy);
  };
  const field = (text: string, opts = {}) => {
    try {
      parseDepositDataFile(text, opts);
    } catch (e) {
      expect(e).toBeInstanceOf(BeaconApiError);
      const d = (e as BeaconApiError).details as { field: string; index: number };
      return `${d.index}:${d.field}`;
    }
    return 'accepted';
  };

  it('rejects a changed amount through the recomputed message root', () => {
    expect(
      field(
        mutate((e) => {
          e.amount = 1_000_000_000;
        }),
      ),
    ).toBe('0:deposit_message_root');
  });
  it('rejects a wrong deposit_data_root', () => {
    expect(
      field(
        mutate((e) => {
          e.deposit_data_root = '00'.repeat(32);
        }),
      ),
    ).toBe('0:deposit_data_root');
  });
  it('rejects a short pubkey and a non-hex signature', () => {
    expect(
      field(
        mutate((e) => {
          e.pubkey = e.pubkey.slice(2);
        }),
      ),
    ).toBe('0:pubkey');
    expect(
      field(
        mutate((e) => {
          e.signature = `zz${e.signature.slice(2)}`;
        }),
      ),
    ).toBe('0:signature');
  });
  it('rejects a missing field and a non-array file', () => {
    expect(
      field(
        mutate((e) => {
          delete (e as Partial<DepositDataJson>).network_name;
        }),
      ),
    ).toBe('0:network_name');
    expect(field('{"pubkey": "00"}')).toBe('-1:(file)');
    expect(field('not json')).toBe('-1:(file)');
  });
  it('rejects another network fork version when one is expected', () => {
    expect(field(JSON.stringify(good), { forkVersion: Uint8Array.of(0, 0, 0, 0) })).toBe('0:fork_version');
    expect(field(JSON.stringify(good), { forkVersion: fv })).toBe('accepted');
  });
  it('rejects a signature made for another fork version (verifier on)', () => {
    // Swap in the signature of another entry: roots are recomputed from it, the signature must then fail.
    const other = good[1] ?? good[0];
    const text = mutate((e) => {
      e.signature = other?.signature ?? '';
    });
    const entries = JSON.parse(text) as DepositDataJson[];
    const rebuilt = entries.map((e) =>
      createDepositDataJson({
        pubkey: Buffer.from(e.pubkey, 'hex'),
        withdrawalCredentials: Buffer.from(e.withdrawal_credentials, 'hex'),
        amountGwei: e.amount,
        signature: Buffer.from(e.signature, 'hex'),
        forkVersion: fv,
        networkName: e.network_name,
        depositCliVersion: e.deposit_cli_version,
      }),
    );
    const bad = serializeDepositDataFile(rebuilt);
    expect(field(bad)).toBe('accepted');
    expect(field(bad, { verifySignature: blsVerify })).toBe(good.length > 1 ? '0:signature' : 'accepted');
  });
  it('verifies the signature over compute_domain(DOMAIN_DEPOSIT, fork_version, zero root)', () => {
    const e = good[0] as DepositDataJson;
    const msg = {
      pubkey: Buffer.from(e.pubkey, 'hex'),
      withdrawalCredentials: Buffer.from(e.withdrawal_credentials, 'hex'),
      amount: e.amount,
    };
    const sig = Buffer.from(e.signature, 'hex');
    expect(blsVerify(msg.pubkey, depositSigningRoot(fv, msg), sig)).toBe(true);
    expect(blsVerify(msg.pubkey, depositSigningRoot(Uint8Array.of(0, 0, 0, 0), msg), sig)).toBe(false);
  });
});
