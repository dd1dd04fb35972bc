// The Anvil binary lookup shared by the chain tests of @diva-dvt/contracts and @diva-dvt/operator:
// from the contracts package (which depends on @foundry-rs/anvil) it finds the platform binary, which
// runs and names itself; on a platform without a build it says so.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AnvilBinaryMissingError, anvilBinary } from '../src/index.ts';

const contractsPackage = fileURLToPath(new URL('../../contracts/package.json', import.meta.url));

describe('anvilBinary', () => {
  it('finds the platform binary through a package that depends on @foundry-rs/anvil', () => {
    const binary = anvilBinary(contractsPackage);
    accessSync(binary, constants.X_OK);
    expect(execFileSync(binary, ['--version'], { encoding: 'utf8' })).toMatch(/anvil/i);
  });

  it('says so on a platform without a build', () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { value: 'aix' });
    try {
      expect(() => anvilBinary(contractsPackage)).toThrow(AnvilBinaryMissingError);
      expect(() => anvilBinary(contractsPackage)).toThrow(`anvil: no binary for aix-${process.arch}`);
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });
});
