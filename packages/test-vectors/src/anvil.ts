// The Anvil binary the chain tests spawn: the platform package of the pinned @foundry-rs/anvil (its
// npm distribution ships one binary per platform as an optional dependency). This package depends on
// nothing, so the binary is resolved from a package that depends on @foundry-rs/anvil, named by a
// file inside it (`from`: a path or file URL). It lives here because this is the one package both of
// its users (the tests of @diva-dvt/contracts and of @diva-dvt/operator) already depend on without a
// cycle: @diva-dvt/devnet, which depends on both, keeps its own runtime lookup (`defaultAnvilBinary`,
// with the devnet's error codes), as a published package may not depend on test infrastructure.
import { createRequire } from 'node:module';

const PLATFORMS: Readonly<Record<string, string>> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-arm64': 'darwin-arm64',
  'darwin-x64': 'darwin-amd64',
};

/** Thrown when there is no Anvil build for this platform or `from` cannot resolve one. */
export class AnvilBinaryMissingError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`anvil: ${reason}`, options);
    this.name = 'AnvilBinaryMissingError';
  }
}

/** The path of the Anvil binary of the @foundry-rs/anvil that `from` (a file of its package) resolves. */
export function anvilBinary(from: string | URL): string {
  const platform = PLATFORMS[`${process.platform}-${process.arch}`];
  if (platform === undefined) {
    throw new AnvilBinaryMissingError(`no binary for ${process.platform}-${process.arch}`);
  }
  try {
    const anvil = createRequire(from).resolve('@foundry-rs/anvil/package.json');
    return createRequire(anvil).resolve(`@foundry-rs/anvil-${platform}/bin/anvil`);
  } catch (cause) {
    throw new AnvilBinaryMissingError(`@foundry-rs/anvil-${platform} not resolvable from ${String(from)}`, {
      cause,
    });
  }
}
