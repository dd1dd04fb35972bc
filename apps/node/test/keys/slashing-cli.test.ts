// `diva-node slashing-protection import|export` as real processes against EIP-3076 interchange
// test files (v5.3.0): the import succeeds or fails as the file says, the export reads back, and the
// migrated database allows and refuses exactly the file's block attempts (minimal strategy). The
// whole set of 38 files runs through the same library functions in @diva-dvt/operator's tests.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSlashingProtectionFile } from '@diva-dvt/operator';
import { vectorsDir } from '@diva-dvt/test-vectors';
import { describe, expect, it } from 'vitest';
import { expectOneLineFailure as expectFailure, runCliSync as run, scratchDir } from '../helpers/cli.ts';
import { writeNodeConfig } from '../helpers/keys.ts';

const EIP3076 = vectorsDir('eip3076');
const { at } = scratchDir('diva-sp-cli-');

/** A node configuration whose data directory is `<name>-data` (the other paths are not read). */
const nodeConfig = (name: string): string =>
  writeNodeConfig(at(`${name}.json`), {
    dataDir: at(`${name}-data`),
    cluster: at('cluster.json'),
    keysDir: at('keys'),
    passwordFile: at('password.txt'),
  });

describe('diva-node slashing-protection with the EIP-3076 test interchanges', () => {
  it('imports and exports EIP-3076 test interchanges with the expected outcome', async () => {
    const cases = [
      'single_validator_single_block_and_attestation.json',
      'multiple_validators_multiple_blocks_and_attestations.json',
      'wrong_genesis_validators_root.json',
    ];
    for (const [k, name] of cases.entries()) {
      const path = join(EIP3076, name);
      expect(existsSync(path), `test vector missing: ${path}`).toBe(true);
      const vector = JSON.parse(readFileSync(path, 'utf8'));
      const step = vector.steps[0];
      const config = nodeConfig(`vector${k}`);
      writeFileSync(at(`vector${k}-interchange.json`), JSON.stringify(step.interchange));
      const r = run(
        'slashing-protection',
        'import',
        '--config',
        config,
        '--file',
        at(`vector${k}-interchange.json`),
        '--genesis-validators-root',
        vector.genesis_validators_root,
      );
      if (!step.should_succeed) {
        expectFailure(r, 1, [at(`vector${k}-interchange.json`), 'metadata.genesis_validators_root']);
        continue;
      }
      expect(r.status, r.stderr).toBe(0);
      const out = at(`vector${k}-export.json`);
      const exported = run('slashing-protection', 'export', '--config', config, '--file', out);
      expect(exported.status, exported.stderr).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).data.length).toBe(step.interchange.data.length);
      const again = run('slashing-protection', 'export', '--config', config, '--file', out);
      expectFailure(again, 1, [out, 'exists already']);
      // The migrated database refuses and allows exactly what the test file says.
      const db = await openSlashingProtectionFile({
        path: join(at(`vector${k}-data`), 'slashing-protection.sqlite'),
      });
      try {
        for (const b of step.blocks) {
          const result = await db.checkAndRecordBlock({
            pubkey: Uint8Array.from(Buffer.from(b.pubkey.slice(2), 'hex')),
            slot: Number(b.slot),
            signingRoot: Uint8Array.from(
              Buffer.from((b.signing_root ?? `0x${'00'.repeat(32)}`).slice(2), 'hex'),
            ),
          });
          expect(result.allowed, `${name} block ${b.slot}`).toBe(b.should_succeed);
        }
      } finally {
        await db.close();
      }
    }
  });
});
