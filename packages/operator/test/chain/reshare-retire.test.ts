// A share keystore leaves the keys directory after a recorded resharing only once every RPC URL
// shows that recording deep enough (src/chain/reshare-retire.ts, src/chain/rpc-witnesses.ts). On a
// real Anvil (automine; blocks mined on demand to set the depth), a stand-in registry at a fixed
// address emits the registry's own `ReshareRecorded` event and answers `sharesAt` as the registry does
// (source below; the full registry needs a whole resharing, which ./reshare.test.ts runs). The second
// RPC URL is a JSON-RPC proxy over node:http in front of the same Anvil that, when told to, drops the
// registry's logs from `eth_getLogs` answers: an RPC that lies by omission. Keystores are real
// (EIP-2335, fast KDF), files are moved for real.
//
//   contract RecordingStandIn {  // solc 0.8.37, optimizer 200 runs, evm prague
//     event ReshareRecorded(uint256 indexed drawId, uint256 generation, bytes32 publicSharesHash, address submitter);
//     mapping(uint256 => mapping(uint256 => bytes32[2])) private recorded;
//     function record(uint256 drawId, uint256 generation, bytes32 sharesHash, bytes32 committeeHash) external {
//       recorded[drawId][generation] = [sharesHash, committeeHash];
//       emit ReshareRecorded(drawId, generation, sharesHash, msg.sender);
//     }
//     function sharesAt(uint256 drawId, uint256 generation) external view returns (bytes32, bytes32) {
//       return (recorded[drawId][generation][0], recorded[drawId][generation][1]);
//     }
//   }
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import {
  type Address,
  concatHex,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  pad,
  parseAbi,
  toHex,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChainState } from '../../src/chain/chain-state.ts';
import { createChainClients } from '../../src/chain/clients.ts';
import {
  pruneRetiredKeystores,
  RETIRED_DIR,
  RETIRED_KEEP_MS,
  retireKeystore,
  retireStaleShares,
} from '../../src/chain/reshare-retire.ts';
import { type RpcWitness, rpcWitnessesOf } from '../../src/chain/rpc-witnesses.ts';
import type { OperatorAddress } from '../../src/committee/types.ts';
import { shareKeystoreFileName, writeShareKeystore } from '../../src/keys/keystore.ts';
import type { Logger } from '../../src/logger.ts';
import { type AnvilNode, startAnvil } from '../helpers/anvil-node.ts';

const STAND_IN =
  '0x608060405234801561000f575f5ffd5b5060043610610034575f3560e01c80634ee0d56514610038578063bc37cb7114610081575b5f5ffd5b610068610046366004610112565b5f91825260208281526040808420928452919052902080546001909101549091565b6040805192835260208301919091520160405180910390f35b61009461008f366004610132565b610096565b005b60408051808201825283815260208082018490525f87815280825283812087825290915291909120906100c99082610161565b5060408051848152602081018490523381830152905185917f5105dcd6020b7d9a79ef211dbd8f96111b804329f28c3660efc7ecfbc182acbf919081900360600190a250505050565b5f5f60408385031215610123575f5ffd5b50508035926020909101359150565b5f5f5f5f60808587031215610145575f5ffd5b5050823594602084013594506040840135936060013592509050565b815f5b600281101561018157815183820155602090910190600101610164565b5050505056fea2646970667358221220bf929104a5e937a6447ff7db847889fe8653dd326abc807ec0f04b7d88a46b4964736f6c63430008250033';
const DEV = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' as Address;
const password = 'share password';
const ops = ['0x01', '0x02', '0x03', '0x04', '0x05'].map((p) => p.padEnd(42, '0') as OperatorAddress);
const key = (n: number) => SecretKey.fromScalar(BigInt(n) * 7919n + 13n);
const groupKey = key(1000).toPublicKey().bytes;

/** A JSON-RPC proxy in front of `target`; `dropLogs` empties its `eth_getLogs` answers. */
async function startProxy(target: string) {
  const mode = { dropLogs: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const answer = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.json() as Promise<{ result?: unknown } | { result?: unknown }[]>);
      const methods = new Map<unknown, string>();
      for (const r of [JSON.parse(body)].flat() as { id: unknown; method: string }[])
        methods.set(r.id, r.method);
      for (const a of [answer].flat() as { id: unknown; result?: unknown }[])
        if (mode.dropLogs && methods.get(a.id) === 'eth_getLogs') a.result = [];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, mode, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A logger that keeps its lines (no key material is ever logged). */
function recorder() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: object) =>
    lines.push({ level, message, fields: { ...(fields ?? {}) } as Record<string, unknown> });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, logger };
}

let anvil: AnvilNode;
let proxy: Awaited<ReturnType<typeof startProxy>>;
const root = mkdtempSync(join(tmpdir(), 'diva-retire-'));
const registry = '0x00000000000000000000000000000000000d1a5a' as Address;
const rpc = () => createPublicClient({ chain: foundry, transport: http(anvil.url) });
const mine = (blocks: number) =>
  rpc().request({ method: 'anvil_mine' as never, params: [toHex(blocks)] as never });

beforeAll(async () => {
  anvil = await startAnvil();
  proxy = await startProxy(anvil.url);
  await rpc().request({ method: 'anvil_setCode' as never, params: [registry, STAND_IN] as never });
});
afterAll(async () => {
  await proxy?.stop();
  await anvil?.stop();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Validator `drawId` accepted with ops 0-3, ops 0 ejected and ops 4 seated, the resharing recorded on
 * chain (the stand-in) and in the folded state; returns the state and the recording's block.
 */
async function recorded(drawId: bigint) {
  const old = [1, 2, 3, 4].map((i) => key(Number(drawId) * 100 + i).toPublicKey().bytes);
  const fresh = [5, 6, 7, 8].map((i) => key(Number(drawId) * 100 + i).toPublicKey().bytes);
  const committee = [ops[4]!, ops[1]!, ops[2]!, ops[3]!];
  const sharesHash = keccak256(concatHex(fresh.map((s) => toHex(s))));
  // abi.encodePacked(address[]): each address left-padded to 32 bytes
  const committeeHash = keccak256(concatHex(committee.map((a) => pad(a))));
  const wallet = createPublicClient({ chain: foundry, transport: http(anvil.url) });
  const hash = (await wallet.request({
    method: 'eth_sendTransaction' as never,
    params: [
      {
        from: DEV,
        to: registry,
        data: encodeFunctionData({
          abi: parseAbi(['function record(uint256, uint256, bytes32, bytes32)']),
          args: [drawId, 1n, sharesHash, committeeHash],
        }),
      },
    ] as never,
  })) as Hex;
  const receipt = await wallet.waitForTransactionReceipt({ hash });
  const state = createChainState();
  state.drawRequested(drawId, 1n, 1n);
  state.committeeDrawn(drawId, ops.slice(0, 4), 2n);
  state.resultAccepted(drawId, groupKey, old, 3, 3n);
  state.drawEnded(drawId, 'approved', 3n);
  state.reshareRequested(drawId, committee, 1, ops[4]!, 4n);
  state.reshareRecorded(drawId, 1, fresh, receipt.blockNumber);
  return { state, old, fresh };
}

/** A keys directory holding operator `self`'s keystore of share `index` of the validator (real, encrypted). */
async function keysWith(name: string, shareIndex: number, secret: SecretKey) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const file = await writeShareKeystore({
    dir,
    groupPublicKey: groupKey,
    share: { shareIndex, secretKey: secret },
    password,
    kdf: 'fast',
  });
  return { dir, file, bytes: readFileSync(file) };
}

describe('retiring a share keystore a recorded resharing superseded', () => {
  const retire = (p: {
    keysDir: string;
    state: ReturnType<typeof createChainState>;
    self: OperatorAddress;
    witnesses: readonly RpcWitness[];
    logger: Logger;
  }) =>
    retireStaleShares({
      ...p,
      password,
      registry,
      depth: 3,
      fromBlock: 0n,
      promoted: () => true,
    });
  const two = () =>
    rpcWitnessesOf(
      createChainClients({
        rpcUrls: [anvil.url, proxy.url],
        chain: foundry,
        identityKey: new Uint8Array(32).fill(1),
      }).wallet,
    );

  it('two RPCs agree and the record is deep enough: the ejected share moves to the archive, unchanged', async () => {
    const { state } = await recorded(1n);
    const keys = await keysWith('agree', 1, key(101));
    const { logger, lines } = recorder();
    const witnesses = two();
    expect(witnesses.map((w) => w.name)).toEqual([
      `1/2 ${new URL(anvil.url).host}`,
      `2/2 ${new URL(proxy.url).host}`,
    ]);
    // recorded in the last block: 0 deep, 3 required
    const shallow = await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger });
    expect(shallow).toEqual({ retired: [], deferred: [shareKeystoreFileName(groupKey, 1)] });
    expect(existsSync(keys.file)).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      fields: { reason: 'recorded 0 blocks deep, 3 required' },
    });
    await mine(3);
    const done = await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger });
    expect(done).toEqual({ retired: [shareKeystoreFileName(groupKey, 1)], deferred: [] });
    expect(existsSync(keys.file)).toBe(false);
    const archived = join(keys.dir, RETIRED_DIR, `${shareKeystoreFileName(groupKey, 1)}.superseded-gen-1`);
    expect(readFileSync(archived)).toEqual(keys.bytes); // still the encrypted keystore, byte for byte
    expect(statSync(join(keys.dir, RETIRED_DIR)).mode & 0o777).toBe(0o700);
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      message: 'the chain recorded a resharing without this share; keystore retired',
      fields: { drawId: '1', generation: 1, confirmedBy: 2 },
    });
    expect(readdirSync(keys.dir)).toEqual([RETIRED_DIR]);
  });

  it('one RPC drops the log: the share is kept and the RPC named; once it agrees the share goes', async () => {
    const { state } = await recorded(2n);
    await mine(3);
    const keys = await keysWith('disagree', 1, key(201));
    const { logger, lines } = recorder();
    const witnesses = two();
    proxy.mode.dropLogs = true;
    try {
      for (let i = 0; i < 2; i++) {
        const kept = await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger });
        expect(kept).toEqual({ retired: [], deferred: [shareKeystoreFileName(groupKey, 1)] });
        expect(readFileSync(keys.file)).toEqual(keys.bytes);
      }
    } finally {
      proxy.mode.dropLogs = false;
    }
    expect(existsSync(join(keys.dir, RETIRED_DIR))).toBe(false);
    const warning = lines.find((l) => l.level === 'warn')!;
    expect(warning.message).toContain('not confirmed by every RPC; share keystore kept');
    expect(warning.fields).toMatchObject({
      drawId: '2',
      generation: 1,
      rpc: `2/2 ${new URL(proxy.url).host}`,
      reason: 'no ReshareRecorded log for this generation',
    });
    // asked again, the RPC now agrees
    const done = await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger });
    expect(done.retired).toEqual([shareKeystoreFileName(groupKey, 1)]);
    expect(existsSync(keys.file)).toBe(false);
  });

  it('one RPC URL: the depth rule alone applies, and the log says so', async () => {
    const { state } = await recorded(3n);
    const keys = await keysWith('single', 1, key(301));
    const { logger, lines } = recorder();
    const witnesses = rpcWitnessesOf(
      createChainClients({ rpcUrls: [proxy.url], chain: foundry, identityKey: new Uint8Array(32).fill(1) })
        .wallet,
    );
    expect(witnesses.map((w) => w.name)).toEqual([new URL(proxy.url).host]);
    expect(
      (await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger })).deferred,
    ).toHaveLength(1);
    await mine(3);
    expect(
      (await retire({ keysDir: keys.dir, state, self: ops[0]!, witnesses, logger })).retired,
    ).toHaveLength(1);
    expect(lines.map((l) => l.message)).toContain(
      'one RPC URL configured: the record was checked for depth only, not against another RPC',
    );
  });

  it("a kept seat's old-generation keystore is retired (never the recorded share's)", async () => {
    const { state } = await recorded(4n);
    await mine(3);
    // ops 1 keeps seat 2: a keystore of its old share (key 402), and elsewhere one of its new (key 406)
    const stale = await keysWith('kept-old', 2, key(402));
    const current = await keysWith('kept-new', 2, key(406));
    const { logger, lines } = recorder();
    const witnesses = two();
    const self = ops[1]!;
    const none = await retire({ keysDir: current.dir, state, self, witnesses, logger });
    expect(none).toEqual({ retired: [], deferred: [] });
    expect(readFileSync(current.file)).toEqual(current.bytes);
    // an RPC that disagrees keeps even the stale one
    proxy.mode.dropLogs = true;
    try {
      expect((await retire({ keysDir: stale.dir, state, self, witnesses, logger })).deferred).toHaveLength(1);
    } finally {
      proxy.mode.dropLogs = false;
    }
    expect(existsSync(stale.file)).toBe(true);
    const done = await retire({ keysDir: stale.dir, state, self, witnesses, logger });
    expect(done.retired).toEqual([shareKeystoreFileName(groupKey, 2)]);
    expect(existsSync(stale.file)).toBe(false);
    expect(lines.at(-1)!.level).toBe('error');
    expect(lines.at(-1)!.message).toContain('cannot sign with the new committee; keystore retired');
    // not yet dealt with by the promotion (it may still write there): left alone
    const again = await keysWith('kept-unpromoted', 2, key(402));
    const waiting = await retireStaleShares({
      keysDir: again.dir,
      state,
      self,
      witnesses,
      logger,
      password,
      registry,
      depth: 3,
      fromBlock: 0n,
      promoted: () => false,
    });
    expect(waiting).toEqual({ retired: [], deferred: [] });
  });
});

describe('the archive of retired keystores', () => {
  it('keeps each one for its retention, counted from its retirement, then deletes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diva-retired-prune-'));
    try {
      const { logger, lines } = recorder();
      writeFileSync(join(dir, 'keystore-a.json'), '{"old":"a"}');
      writeFileSync(join(dir, 'keystore-b.json'), '{"old":"b"}');
      // written long ago; the retention counts from the retirement, not from the file's age
      utimesSync(join(dir, 'keystore-a.json'), new Date(0), new Date(0));
      const a = await retireKeystore(dir, 'keystore-a.json', 1);
      const b = await retireKeystore(dir, 'keystore-b.json', 2);
      const retiredAt = statSync(a).mtimeMs;
      expect(Date.now() - retiredAt).toBeLessThan(60_000);
      const prune = (now: number) =>
        pruneRetiredKeystores({ keysDir: dir, keepMs: RETIRED_KEEP_MS, logger, now });
      expect(await prune(retiredAt + RETIRED_KEEP_MS - 1_000)).toEqual([]);
      // b was retired a day later than a
      const later = new Date(retiredAt + 86_400_000);
      utimesSync(b, later, later);
      expect(await prune(retiredAt + RETIRED_KEEP_MS + 1_000)).toEqual(['keystore-a.json.superseded-gen-1']);
      expect(existsSync(a)).toBe(false);
      expect(readFileSync(b, 'utf8')).toBe('{"old":"b"}');
      expect(lines.at(-1)).toMatchObject({
        level: 'info',
        message: 'retired share keystore deleted after its retention',
        fields: { file: 'keystore-a.json.superseded-gen-1', retiredDaysAgo: 30 },
      });
      expect(await prune(retiredAt + RETIRED_KEEP_MS + 86_400_000 + 1_000)).toEqual([
        'keystore-b.json.superseded-gen-2',
      ]);
      expect(readdirSync(join(dir, RETIRED_DIR))).toEqual([]);
      // no archive: nothing to do
      expect(await pruneRetiredKeystores({ keysDir: join(dir, 'none'), keepMs: 0, logger })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
