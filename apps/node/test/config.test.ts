// The configuration file: a good one parses with paths resolved against its folder; each mistake
// is an INVALID_CONFIG naming the file and the field.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDivaNodeError, parseNodeConfig, readNodeConfig } from '../src/index.ts';

const good = {
  dataDir: 'data',
  beaconNodes: ['http://127.0.0.1:5052', 'https://bn.example:443'],
  cluster: 'cluster.json',
  keys: { dir: 'keys', passwordFile: '/secrets/password.txt' },
  p2p: { listen: ['/ip4/0.0.0.0/tcp/9000'] },
  http: { host: '127.0.0.1', port: 8080 },
  log: { level: 'debug' },
  graffiti: 'diva',
  consensus: {
    roundTimeoutMs: 800,
    evidence: { chainId: 31337, contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  },
};

function fieldOf(json: unknown): string {
  try {
    parseNodeConfig(json, '/etc/diva/node.json');
  } catch (e) {
    if (isDivaNodeError(e, 'INVALID_CONFIG')) {
      expect(e.details.file).toBe('/etc/diva/node.json');
      expect(e.message).toContain(e.details.field);
      return e.details.field;
    }
    throw e;
  }
  throw new RangeError('parsed');
}

describe('node configuration', () => {
  it('parses a complete file, resolving relative paths against its folder', () => {
    const c = parseNodeConfig(good, '/etc/diva/node.json');
    expect(c.dataDir).toBe('/etc/diva/data');
    expect(c.cluster).toBe('/etc/diva/cluster.json');
    expect(c.keys).toEqual({ dir: '/etc/diva/keys', passwordFile: '/secrets/password.txt' });
    expect(c.beaconNodes).toHaveLength(2);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, exits: false, dashboard: false });
    expect(c.log.level).toBe('debug');
    expect(c.consensus.roundTimeoutMs).toBe(800);
    expect(c.consensus.evidence).toEqual({
      chainId: 31337,
      contract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    });
    expect(c.watchCluster).toBe(false);
  });

  it('defaults: info logs, no HTTP endpoints, no graffiti', () => {
    const { http: _h, log: _l, graffiti: _g, consensus: _c, ...minimal } = good;
    const c = parseNodeConfig(minimal, '/n.json');
    expect(c.http).toBeUndefined();
    expect(c.log.level).toBe('info');
    expect(c.graffiti).toBeUndefined();
    expect(c.consensus.roundTimeoutMs).toBeUndefined();
    expect(c.consensus.evidence).toBeUndefined();
  });

  it('fault injection: off unless asked, a boolean, named in the error', () => {
    expect(parseNodeConfig(good, '/n.json').faultInjection).toBeUndefined();
    const on = parseNodeConfig({ ...good, faultInjection: { equivocateAsLeader: true } }, '/n.json');
    expect(on.faultInjection).toEqual({ equivocateAsLeader: true, isolateOnSignalMs: undefined });
    const isolating = parseNodeConfig({ ...good, faultInjection: { isolateOnSignalMs: 20_000 } }, '/n.json');
    expect(isolating.faultInjection).toEqual({ equivocateAsLeader: false, isolateOnSignalMs: 20_000 });
    expect(() => parseNodeConfig({ ...good, faultInjection: { isolateOnSignalMs: 0 } }, '/n.json')).toThrow(
      /faultInjection\.isolateOnSignalMs/,
    );
    expect(() =>
      parseNodeConfig({ ...good, faultInjection: { equivocateAsLeader: 'yes' } }, '/n.json'),
    ).toThrow(/faultInjection\.equivocateAsLeader: expected true or false/);
    expect(() => parseNodeConfig({ ...good, faultInjection: { doubleSign: true } }, '/n.json')).toThrow(
      /faultInjection/,
    );
  });

  it('a web3signer section: all validators or a list of keys, lower-cased; default host loopback', () => {
    const key = `0x${'AB'.repeat(48)}`;
    const all = parseNodeConfig({ ...good, web3signer: { port: 9000, validators: 'all' } }, '/n.json');
    expect(all.web3signer).toEqual({
      host: '127.0.0.1',
      port: 9000,
      validators: 'all',
      feeRecipient: undefined,
    });
    const some = parseNodeConfig(
      {
        ...good,
        web3signer: { host: '0.0.0.0', port: 0, validators: [key], feeRecipient: `0x${'Cd'.repeat(20)}` },
      },
      '/n.json',
    );
    expect(some.web3signer).toEqual({
      host: '0.0.0.0',
      port: 0,
      validators: [key.toLowerCase()],
      feeRecipient: `0x${'cd'.repeat(20)}`,
    });
    expect(parseNodeConfig(good, '/n.json').web3signer).toBeUndefined();
    expect(fieldOf({ ...good, web3signer: { validators: 'all' } })).toBe('web3signer.port');
    expect(fieldOf({ ...good, web3signer: { port: 9000 } })).toBe('web3signer.validators');
    expect(fieldOf({ ...good, web3signer: { port: 9000, validators: 'some' } })).toBe(
      'web3signer.validators',
    );
    expect(fieldOf({ ...good, web3signer: { port: 9000, validators: ['0x12'] } })).toBe(
      'web3signer.validators[0]',
    );
    expect(fieldOf({ ...good, web3signer: { port: 9000, validators: 'all', feeRecipient: '0x1' } })).toBe(
      'web3signer.feeRecipient',
    );
    expect(fieldOf({ ...good, web3signer: { port: 9000, validators: 'all', url: 'x' } })).toBe(
      'web3signer.url',
    );
  });

  it('a contracts section instead of a cluster file: addresses lower-cased, defaults', () => {
    const { cluster: _c, ...noCluster } = good;
    const a = (n: number) => `0x${String(n).repeat(40)}`;
    const contracts = {
      rpcUrls: ['http://127.0.0.1:8545', 'https://rpc.example'],
      chainId: 31337,
      addresses: {
        operatorRegistry: `0x${'Ab'.repeat(20)}`,
        committeeDraw: a(2),
        divETH: a(3),
        dkgResultRegistry: a(4),
        fromBlock: 7,
      },
    };
    const c = parseNodeConfig({ ...noCluster, contracts }, '/n.json');
    expect(c.cluster).toBeUndefined();
    expect(c.contracts).toEqual({
      rpcUrls: contracts.rpcUrls,
      chainId: 31337,
      addresses: {
        operatorRegistry: `0x${'ab'.repeat(20)}`,
        committeeDraw: a(2),
        divETH: a(3),
        dkgResultRegistry: a(4),
        exitRequests: undefined,
        depositContract: undefined,
        executionRewardsVault: undefined,
        evidenceSlasher: undefined,
        accounting: undefined,
        fromBlock: 7n,
      },
      keepers: true,
      pollingIntervalMs: 2000,
      preGenesisIndices: false,
      fastKeystores: false,
    });
    // exactly one source of committees
    expect(fieldOf({ ...good, contracts })).toBe('cluster');
    expect(fieldOf(noCluster)).toBe('cluster');
    const bad = (patch: object) => fieldOf({ ...noCluster, contracts: { ...contracts, ...patch } });
    expect(bad({ rpcUrls: ['ws://x'] })).toBe('contracts.rpcUrls[0]');
    expect(bad({ chainId: 0 })).toBe('contracts.chainId');
    expect(bad({ addresses: { ...contracts.addresses, divETH: '0x12' } })).toBe('contracts.addresses.divETH');
    const { dkgResultRegistry: _d, ...noRegistry } = contracts.addresses;
    expect(bad({ addresses: noRegistry })).toBe('contracts.addresses.dkgResultRegistry');
    expect(bad({ addresses: { ...contracts.addresses, fromBlock: -1 } })).toBe(
      'contracts.addresses.fromBlock',
    );
    expect(bad({ keepers: 'yes' })).toBe('contracts.keepers');
    expect(bad({ pollingIntervalMs: 5 })).toBe('contracts.pollingIntervalMs');
    expect(bad({ rpc: 'x' })).toBe('contracts.rpc');
    // proposals are signed for one evidence contract: the consensus section may not name another
    const withSlasher = { ...contracts, addresses: { ...contracts.addresses, evidenceSlasher: a(5) } };
    expect(
      parseNodeConfig({ ...noCluster, consensus: {}, contracts: withSlasher }, '/n.json').contracts?.addresses
        .evidenceSlasher,
    ).toBe(a(5));
    expect(
      fieldOf({
        ...noCluster,
        contracts: withSlasher,
        consensus: { evidence: { chainId: 31337, contract: a(6) } },
      }),
    ).toBe('consensus.evidence.contract');
  });

  it('names the field at fault', () => {
    expect(fieldOf({ ...good, dataDir: 3 })).toBe('dataDir');
    expect(fieldOf({ ...good, beaconNodes: [] })).toBe('beaconNodes');
    expect(fieldOf({ ...good, beaconNodes: ['http://ok:1', 'ftp://x'] })).toBe('beaconNodes[1]');
    expect(fieldOf({ ...good, keys: { dir: 'k' } })).toBe('keys.passwordFile');
    expect(fieldOf({ ...good, p2p: { listen: ['/ip4/1.2.3.4/udp/9000'] } })).toBe('p2p.listen[0]');
    expect(fieldOf({ ...good, http: { port: 70_000 } })).toBe('http.port');
    expect(fieldOf({ ...good, log: { level: 'loud' } })).toBe('log.level');
    expect(fieldOf({ ...good, graffiti: 'x'.repeat(33) })).toBe('graffiti');
    expect(fieldOf({ ...good, consensus: { roundTimeoutMs: 1 } })).toBe('consensus.roundTimeoutMs');
    expect(fieldOf({ ...good, consensus: { evidence: { chainId: 1, contract: '0x12' } } })).toBe(
      'consensus.evidence.contract',
    );
    expect(
      fieldOf({
        ...good,
        consensus: { evidence: { chainId: 0, contract: good.consensus.evidence.contract } },
      }),
    ).toBe('consensus.evidence.chainId');
    expect(fieldOf({ ...good, clustr: 'typo.json' })).toBe('clustr');
    expect(fieldOf({ ...good, watchCluster: 'yes' })).toBe('watchCluster');
    expect(fieldOf([])).toBe('(top level)');
  });

  it('reports an unreadable or non-JSON file as CONFIG_UNREADABLE naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diva-config-'));
    await expect(readNodeConfig(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'CONFIG_UNREADABLE',
      details: { file: join(dir, 'missing.json'), reason: 'ENOENT' },
    });
    await writeFile(join(dir, 'bad.json'), '{ "dataDir": ');
    await expect(readNodeConfig(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
    await writeFile(join(dir, 'good.json'), JSON.stringify(good));
    expect((await readNodeConfig(join(dir, 'good.json'))).dataDir).toBe(join(dir, 'data'));
  });
});
