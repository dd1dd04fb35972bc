// Checks StartLodestarOptions before anything is spawned, so a bad option is a typed error that
// names it rather than a Lodestar that exits early.
import { DevnetError } from '../errors.ts';
import type { StartLodestarOptions } from '../lodestar-types.ts';

export function checkInteger(option: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option,
      reason: `expected an integer in [${min}, ${max}], got ${value}`,
    });
  }
}

export function validateOptions(o: StartLodestarOptions): void {
  checkInteger('secondsPerSlot', o.secondsPerSlot, 1, 60);
  checkInteger('altairForkEpoch', o.altairForkEpoch, 0, 2 ** 32);
  checkInteger('restPort', o.restPort, 1, 65535);
  checkInteger('p2pPort', o.p2pPort, 1, 65535);
  checkInteger('startTimeoutMs', o.startTimeoutMs, 1, 3_600_000);
  if (o.preset !== undefined && o.preset !== 'minimal' && o.preset !== 'mainnet') {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'preset',
      reason: `unknown preset ${String(o.preset)}`,
    });
  }
  for (const [name, value] of Object.entries(o.presetOverrides ?? {})) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'presetOverrides',
        reason: `not a preset name: ${name}`,
      });
    }
    checkInteger(`presetOverrides.${name}`, value, 0, 2 ** 53 - 1);
  }
  const g = o.genesis;
  if (o.resume && (g === undefined || (g.kind === 'interop' && g.genesisTimeSec === undefined))) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'resume',
      reason:
        "needs the first run's genesis: a genesis state file, or an interop genesis with its genesisTimeSec",
    });
  }
  if (o.resume && o.dataDir === undefined) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'resume',
      reason: 'needs the dataDir of the first run',
    });
  }
  if (g?.kind === 'interop') {
    checkInteger('genesis.validatorCount', g.validatorCount, 1, 1_000_000);
    if (g.eth1BlockHash !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(g.eth1BlockHash)) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'genesis.eth1BlockHash',
        reason: 'expected 32 bytes hex',
      });
    }
  }
  const e = o.eth1;
  if (e !== undefined) {
    if (e.providerUrls.length === 0 || e.providerUrls.some((u) => !/^https?:\/\//.test(u))) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'eth1.providerUrls',
        reason: 'expected http(s) URLs',
      });
    }
    if (!/^0x[0-9a-fA-F]{40}$/.test(e.depositContract)) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'eth1.depositContract',
        reason: 'expected a 20-byte 0x address',
      });
    }
    checkInteger('eth1.deployBlock', e.deployBlock, 0, 2 ** 53 - 1);
    checkInteger('eth1.chainId', e.chainId, 1, 2 ** 53 - 1);
    checkInteger('eth1.followDistance', e.followDistance, 1, 2048);
    checkInteger('eth1.secondsPerEth1Block', e.secondsPerEth1Block, 1, 60);
  }
  const r = o.startValidators;
  if (r) {
    checkInteger('startValidators.from', r.from, 0, 1_000_000);
    checkInteger('startValidators.to', r.to, r.from, 1_000_000);
  }
}
