// DkgResultRegistry with the real pool, registry and draw on Anvil, and a real 16-member DKG: t EIP-712
// approvals of the committee's operator keys, the deposit data root recomputed on chain, the threshold
// BLS deposit signature verified with EIP-2537, 1 ETH first and 31 ETH after the withdrawal credentials
// are confirmed (by a 2/3 quorum of all active operators, or by an EIP-4788 proof). Every refusal is asserted by its custom error.
import {
  computeDomain,
  DOMAIN_TYPES,
  depositDataRoot as depositDataRootOf,
  depositMessageRoot,
  signingRootOfObjectRoot,
} from '@diva-dvt/beacon-api/spec';
import { createBls } from '@diva-dvt/bls-threshold';
import {
  type Address,
  bytesToHex,
  concatHex,
  encodeDeployData,
  type Hex,
  hexToBytes,
  type LocalAccount,
  parseEther,
  zeroAddress,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { withdrawalCredentialsConfirmationTypes } from '../src/actions/confirm-by-quorum.ts';
import { dkgApprovalTypes } from '../src/actions/submit-dkg-result.ts';
import { deployDiva } from '../src/deploy.ts';
import type { DkgResultSubmission } from '../src/dkg-result-submission.ts';
import { DivaContractsError } from '../src/errors.ts';
import {
  accountingAbi,
  committeeDrawAbi,
  depositContractAbi,
  divETHAbi,
  divETHBytecode,
  dkgResultRegistryAbi,
  dkgResultRegistryBytecode,
  errorsAbi,
  operatorRegistryAbi,
} from '../src/generated/index.ts';
import { type AnvilClient, DEV_ACCOUNT, send, useAnvil } from './helpers/anvil.ts';
import { g2FromCompressed } from './helpers/crypto-bls.ts';
import { callRevert, expectRevert } from './helpers/crypto-errors.ts';
import { recordGas } from './helpers/crypto-gas.ts';
import { buildValidatorProof, validatorArg, validatorValue } from './helpers/crypto-proofs.ts';
import { DepositDataList } from './helpers/crypto-ssz.ts';
import { installBeaconRoots, pushBeaconRoot } from './helpers/crypto-syscontracts.ts';
import {
  createValidator,
  type DkgKeys,
  deploySystem,
  drawCommittee,
  GENESIS_FORK_VERSION,
  publicSharesHex,
  type System,
  THRESHOLD,
  thresholdSign,
} from './helpers/crypto-system.ts';
import { ROLES, testAccount } from './helpers/system.ts';

type Ctx = {
  sys: System;
  drawId: bigint;
  committee: Address[];
  keys: DkgKeys;
  pubkey: Hex;
  wc: Hex;
  signature: Hex;
  depositDataRoot: Hex;
};

async function setup(client: AnvilClient): Promise<Ctx> {
  const sys = await deploySystem(client);
  const { drawId, committee } = await drawCommittee(client, sys);
  const ceremonyId = (await client.readContract({
    address: sys.results,
    abi: dkgResultRegistryAbi,
    functionName: 'ceremonyIdOf',
    args: [drawId],
  })) as Hex;
  const { runDkg } = await import('./helpers/crypto-system.ts');
  const keys = runDkg(committee, sys, ceremonyId);
  const pubkey = bytesToHex(keys.groupPublicKey.bytes);
  const wc = (await client.readContract({
    address: sys.results,
    abi: dkgResultRegistryAbi,
    functionName: 'withdrawalCredentials',
  })) as Hex;
  const signingRoot = (await client.readContract({
    address: sys.results,
    abi: dkgResultRegistryAbi,
    functionName: 'preDepositSigningRoot',
    args: [pubkey],
  })) as Hex;
  const signature = bytesToHex(thresholdSign(keys, signingRoot, [16, 2, 5, 7, 9, 11, 12, 13, 14, 15, 1]));
  const depositDataRoot = bytesToHex(
    depositDataRootOf({
      pubkey: hexToBytes(pubkey),
      withdrawalCredentials: hexToBytes(wc),
      amount: 1_000_000_000,
      signature: hexToBytes(signature),
    }),
  );
  return { sys, drawId, committee, keys, pubkey, wc, signature, depositDataRoot };
}

describe('DkgResultRegistry', () => {
  const chain = useAnvil({ setup });
  const ctx = () => chain.context();
  const client = () => chain.client();

  // The EIP-712 tables are the package's (the contract checks them); the domain is written out here.
  const approvalTypes = dkgApprovalTypes;
  const confirmationTypes = withdrawalCredentialsConfirmationTypes;
  const domain = () => ({
    name: 'DivaDkgResult',
    version: '1',
    chainId: 31337,
    verifyingContract: ctx().sys.results,
  });

  async function approve(
    seats: readonly number[],
    message: { drawId?: bigint; pubkey?: Hex; publicShares?: Hex; depositDataRoot?: Hex } = {},
    signerOf: (shareIndex: number) => number = (i) => i,
  ) {
    const c = ctx();
    const drawId = message.drawId ?? c.drawId;
    const ceremonyId = (await client().readContract({
      address: c.sys.results,
      abi: dkgResultRegistryAbi,
      functionName: 'ceremonyIdOf',
      args: [drawId],
    })) as Hex;
    const { keccak256 } = await import('viem');
    return Promise.all(
      seats.map(async (shareIndex) => {
        const op = c.sys.byAddress.get(c.committee[signerOf(shareIndex) - 1]!.toLowerCase())!;
        const signature = await op.account.signTypedData({
          domain: domain(),
          types: approvalTypes,
          primaryType: 'DkgApproval',
          message: {
            drawId,
            ceremonyId,
            validatorPubkey: message.pubkey ?? c.pubkey,
            publicSharesHash: keccak256(message.publicShares ?? publicSharesHex(c.keys)),
            depositDataRoot: message.depositDataRoot ?? c.depositDataRoot,
          },
        });
        return { shareIndex: BigInt(shareIndex), signature };
      }),
    );
  }

  function result(overrides: Partial<DkgResultSubmission> = {}) {
    const c = ctx();
    return {
      drawId: c.drawId,
      pubkey: c.pubkey,
      publicShares: publicSharesHex(c.keys),
      depositSignature: c.signature,
      depositSignaturePoint: g2FromCompressed(c.signature),
      depositDataRoot: c.depositDataRoot,
      ...overrides,
    };
  }

  const submit = (r: ReturnType<typeof result>, approvals: { shareIndex: bigint; signature: Hex }[]) =>
    send(client(), {
      address: ctx().sys.results,
      abi: dkgResultRegistryAbi,
      functionName: 'submitDkgResult',
      args: [r, approvals],
      chain: null,
    } as never);

  const read = (functionName: string, args: unknown[] = []) =>
    client().readContract({
      address: ctx().sys.results,
      abi: dkgResultRegistryAbi,
      functionName,
      args,
    } as never) as Promise<unknown>;

  const seats = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

  it('signs the deposit with a real DKG key: the on-chain signing root is the SSZ one and noble verifies it', () => {
    const c = ctx();
    const domainDeposit = computeDomain(DOMAIN_TYPES.deposit, hexToBytes(GENESIS_FORK_VERSION));
    const root = signingRootOfObjectRoot(
      depositMessageRoot({
        pubkey: hexToBytes(c.pubkey),
        withdrawalCredentials: hexToBytes(c.wc),
        amount: 1_000_000_000,
      }),
      domainDeposit,
    );
    const bls = createBls();
    expect(
      bls.verify(
        bls.publicKeyFromBytes(hexToBytes(c.pubkey)),
        root,
        bls.signatureFromBytes(hexToBytes(c.signature)),
      ),
    ).toBe(true);
    expect(c.wc.startsWith('0x01')).toBe(true);
  });

  it('accepts a result approved by t members and deposits 1 ETH with our withdrawal credentials', async () => {
    const c = ctx();
    const receipt = await submit(result(), await approve(seats(THRESHOLD, 3)));
    recordGas('submitDkgResult (11 approvals, BLS verify, 1 ETH deposit)', receipt.gasUsed);
    expect(await read('stageOf', [c.drawId])).toBe(1);
    expect(await read('pubkeyOf', [c.drawId])).toBe(c.pubkey);
    expect(
      await client().readContract({
        address: c.sys.draw,
        abi: committeeDrawAbi,
        functionName: 'statusOf',
        args: [c.drawId],
      }),
    ).toBe(3);
    const deposit = {
      pubkey: hexToBytes(c.pubkey),
      withdrawalCredentials: hexToBytes(c.wc),
      amount: 1_000_000_000,
      signature: hexToBytes(c.signature),
    };
    expect(
      await client().readContract({
        address: c.sys.depositContract,
        abi: depositContractAbi,
        functionName: 'get_deposit_root',
      }),
    ).toBe(bytesToHex(DepositDataList.hashTreeRoot([deposit])));
    expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('1'));
  });

  it('deploys with 0x02 credentials (deployDiva option): divETH and the registry agree, a real result deposits 1 ETH with them', async () => {
    // A second whole system on the same chain (reverted after the test), 16 operators: one committee.
    const sys = await deploySystem(client(), {
      operatorCount: 16,
      viaDeployDiva: true,
      withdrawalCredentialsType: 0x02,
    });
    const expected = concatHex(['0x02', `0x${'00'.repeat(11)}`, sys.divETH]).toLowerCase() as Hex;
    const wcOf = async (address: Address) =>
      (
        (await client().readContract({
          address,
          abi: divETHAbi,
          functionName: 'withdrawalCredentials',
        })) as Hex
      ).toLowerCase();
    expect(await wcOf(sys.divETH)).toBe(expected);
    expect(await wcOf(sys.results)).toBe(expected);
    const fromBlock = await client().getBlockNumber();
    const v = await createValidator(client(), sys);
    expect(
      await client().readContract({
        address: sys.results,
        abi: dkgResultRegistryAbi,
        functionName: 'stageOf',
        args: [v.drawId],
      }),
    ).toBe(1);
    const events = await client().getContractEvents({
      address: sys.depositContract,
      abi: depositContractAbi,
      eventName: 'DepositEvent',
      fromBlock,
    });
    expect(events).toHaveLength(1);
    const args = events[0]!.args as Record<string, Hex>;
    expect(args.pubkey).toBe(v.pubkey);
    expect(args.withdrawal_credentials!.toLowerCase()).toBe(expected);
    expect(args.amount).toBe('0x00ca9a3b00000000'); // 1e9 gwei, little-endian
    expect(args.signature).toBe(v.signature);
    // The threshold signature covers the 0x02 deposit message (not the 0x01 one) ...
    const domainDeposit = computeDomain(DOMAIN_TYPES.deposit, hexToBytes(GENESIS_FORK_VERSION));
    const bls = createBls();
    const verifies = (wc: Hex) =>
      bls.verify(
        bls.publicKeyFromBytes(hexToBytes(v.pubkey)),
        signingRootOfObjectRoot(
          depositMessageRoot({
            pubkey: hexToBytes(v.pubkey),
            withdrawalCredentials: hexToBytes(wc),
            amount: 1_000_000_000,
          }),
          domainDeposit,
        ),
        bls.signatureFromBytes(hexToBytes(v.signature)),
      );
    expect(verifies(expected)).toBe(true);
    expect(verifies(`0x01${expected.slice(4)}`)).toBe(false);
    // ... and the deposit contract's root is the SSZ root of the deposit data with 0x02 credentials.
    const deposit = {
      pubkey: hexToBytes(v.pubkey),
      withdrawalCredentials: hexToBytes(expected),
      amount: 1_000_000_000,
      signature: hexToBytes(v.signature),
    };
    expect(
      await client().readContract({
        address: sys.depositContract,
        abi: depositContractAbi,
        functionName: 'get_deposit_root',
      }),
    ).toBe(bytesToHex(DepositDataList.hashTreeRoot([deposit])));
    expect(await client().getBalance({ address: sys.depositContract })).toBe(parseEther('1'));
  });

  it('refuses a credentials type other than 0x01/0x02: divETH constructor (BadWithdrawalCredentialsType) and deployDiva (DivaContractsError INVALID_SETTING)', async () => {
    for (const type of [0, 3]) {
      const data = encodeDeployData({
        abi: divETHAbi,
        bytecode: divETHBytecode,
        args: [type, zeroAddress, 0n],
      });
      expect(await callRevert(client(), divETHAbi, { account: DEV_ACCOUNT, data, value: 1n })).toEqual({
        name: 'BadWithdrawalCredentialsType',
        args: [type],
      });
    }
    const before = await client().getTransactionCount({ address: DEV_ACCOUNT });
    await expect(
      deployDiva(client(), { roles: ROLES, withdrawalCredentialsType: 3 as never }),
    ).rejects.toThrow(DivaContractsError);
    expect(await client().getTransactionCount({ address: DEV_ACCOUNT })).toBe(before);
  });

  it('refuses fewer than t approvals (TooFewApprovals)', async () => {
    expect(await expectRevert(async () => submit(result(), await approve(seats(THRESHOLD - 1))))).toEqual({
      name: 'TooFewApprovals',
      args: [10n, 11n],
    });
  });

  it('refuses an approval signed by someone else than the seat holder (WrongSigner)', async () => {
    const c = ctx();
    // seat 4's approval actually signed by seat 12's operator
    const err = await expectRevert(async () =>
      submit(result(), await approve(seats(THRESHOLD), {}, (i) => (i === 4 ? 12 : i))),
    );
    expect(err.name).toBe('WrongSigner');
    expect(err.args).toEqual([4n, c.committee[11], c.committee[3]]);
  });

  it('refuses the same member twice (DuplicateApproval) and a seat outside the committee (BadShareIndex)', async () => {
    const approvals = await approve(seats(THRESHOLD));
    expect(await expectRevert(() => submit(result(), [...approvals.slice(0, 10), approvals[2]!]))).toEqual({
      name: 'DuplicateApproval',
      args: [3n],
    });
    const bad = [...approvals.slice(0, 10), { ...approvals[10]!, shareIndex: 17n }];
    expect(await expectRevert(() => submit(result(), bad))).toEqual({
      name: 'BadShareIndex',
      args: [17n, 16n],
    });
  });

  it('refuses replayed approvals: for another draw, for another result, and a second submission', async () => {
    const c = ctx();
    const forOtherDraw = await approve(seats(THRESHOLD), { drawId: c.drawId + 1n });
    expect((await expectRevert(() => submit(result(), forOtherDraw))).name).toBe('WrongSigner');
    const forOtherShares = await approve(seats(THRESHOLD), { publicShares: `0x${'ab'.repeat(16 * 48)}` });
    expect((await expectRevert(() => submit(result(), forOtherShares))).name).toBe('WrongSigner');
    const good = await approve(seats(THRESHOLD));
    await submit(result(), good);
    expect(await expectRevert(() => submit(result(), good))).toEqual({
      name: 'AlreadySubmitted',
      args: [c.drawId],
    });
  });

  it('refuses an approved deposit data root that is not the one of the 1 ETH deposit (DepositDataRootMismatch)', async () => {
    const c = ctx();
    const full = bytesToHex(
      depositDataRootOf({
        pubkey: hexToBytes(c.pubkey),
        withdrawalCredentials: hexToBytes(c.wc),
        amount: 32_000_000_000,
        signature: hexToBytes(c.signature),
      }),
    );
    const err = await expectRevert(async () =>
      submit(result({ depositDataRoot: full }), await approve(seats(THRESHOLD), { depositDataRoot: full })),
    );
    expect(err).toEqual({ name: 'DepositDataRootMismatch', args: [full, c.depositDataRoot] });
  });

  it('refuses a deposit signature that does not verify (BadDepositSignature), even when approved', async () => {
    const c = ctx();
    // a valid threshold signature, over another message
    const wrong = bytesToHex(thresholdSign(c.keys, `0x${'11'.repeat(32)}`, seats(THRESHOLD)));
    const root = bytesToHex(
      depositDataRootOf({
        pubkey: hexToBytes(c.pubkey),
        withdrawalCredentials: hexToBytes(c.wc),
        amount: 1_000_000_000,
        signature: hexToBytes(wrong),
      }),
    );
    const err = await expectRevert(async () =>
      submit(
        result({
          depositSignature: wrong,
          depositSignaturePoint: g2FromCompressed(wrong),
          depositDataRoot: root,
        }),
        await approve(seats(THRESHOLD), { depositDataRoot: root }),
      ),
    );
    expect(err).toEqual({ name: 'BadDepositSignature', args: [c.drawId] });
  });

  it('refuses public shares of the wrong length (BadPublicShares)', async () => {
    const short = `0x${publicSharesHex(ctx().keys).slice(2, 2 + 15 * 96)}` as Hex;
    const err = await expectRevert(async () =>
      submit(result({ publicShares: short }), await approve(seats(THRESHOLD), { publicShares: short })),
    );
    expect(err).toEqual({ name: 'BadPublicShares', args: [720n, 768n] });
  });

  it('refuses a draw not awaiting a result, a key already used, stray ETH and bad credentials at deploy', async () => {
    const c = ctx();
    // a second draw, still Requested (not drawn)
    await send(client(), {
      address: c.sys.divETH,
      abi: divETHAbi,
      functionName: 'deposit',
      value: parseEther('32'),
      chain: null,
    } as never);
    await send(client(), {
      address: c.sys.draw,
      abi: committeeDrawAbi,
      functionName: 'requestDraw',
      chain: null,
    } as never);
    const err = await expectRevert(() => submit(result({ drawId: c.drawId + 1n }), []));
    expect(err).toEqual({ name: 'DrawNotAwaitingResult', args: [c.drawId + 1n, 1] });
    // the same key for another (drawn) draw
    await submit(result(), await approve(seats(THRESHOLD)));
    const second = await drawCommittee(client(), c.sys);
    expect(await expectRevert(() => submit(result({ drawId: second.drawId }), []))).toEqual({
      name: 'PubkeyAlreadyUsed',
      args: [c.pubkey, c.drawId],
    });
    // ETH from anyone but the pool
    expect(
      await callRevert(client(), dkgResultRegistryAbi, {
        account: DEV_ACCOUNT,
        to: c.sys.results,
        value: 1n,
      }),
    ).toEqual({ name: 'UnexpectedEther', args: [DEV_ACCOUNT, 1n] });
    // withdrawal credentials must be 0x01/0x02 with 11 zero bytes
    for (const wc of [
      `0x00${'00'.repeat(11)}${'11'.repeat(20)}`,
      `0x01${'00'.repeat(10)}01${'11'.repeat(20)}`,
    ] as Hex[]) {
      const data = encodeDeployData({
        abi: dkgResultRegistryAbi,
        bytecode: dkgResultRegistryBytecode,
        args: [
          c.sys.draw,
          c.sys.divETH,
          c.sys.accounting,
          c.sys.depositContract,
          wc,
          GENESIS_FORK_VERSION,
          75n,
        ],
      });
      expect(await callRevert(client(), dkgResultRegistryAbi, { account: DEV_ACCOUNT, data })).toEqual({
        name: 'BadWithdrawalCredentials',
        args: [wc],
      });
    }
  });

  /** Confirmations of the credentials by `signers`, sorted by address as the quorum rule requires. */
  async function confirmations(validatorIndex: bigint, signers: readonly LocalAccount[]) {
    const c = ctx();
    const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    return Promise.all(
      sorted.map((account) =>
        account.signTypedData({
          domain: domain(),
          types: confirmationTypes,
          primaryType: 'WithdrawalCredentialsConfirmation',
          message: {
            drawId: c.drawId,
            validatorPubkey: c.pubkey,
            validatorIndex,
            withdrawalCredentials: c.wc,
          },
        }),
      ),
    );
  }

  const confirmByQuorum = (index: bigint, sig: Hex, signatures: Hex[]) =>
    send(client(), {
      address: ctx().sys.results,
      // the quorum errors are Accounting's (it checks the signatures)
      abi: [...dkgResultRegistryAbi, ...errorsAbi],
      functionName: 'confirmByQuorum',
      args: [ctx().drawId, index, sig, signatures],
      chain: null,
    } as never);

  const committeeAccounts = (count: number) =>
    ctx()
      .committee.slice(0, count)
      .map((a) => ctx().sys.byAddress.get(a.toLowerCase())!.account);

  async function activeAccounts(): Promise<LocalAccount[]> {
    const out: LocalAccount[] = [];
    for (const op of ctx().sys.operators) {
      const active = await client().readContract({
        address: ctx().sys.registry,
        abi: operatorRegistryAbi,
        functionName: 'isActiveOperator',
        args: [op.account.address],
      });
      if (active) out.push(op.account);
    }
    return out;
  }

  it('deposits the other 31 ETH once a quorum of all active operators confirms, never on the committee alone', async () => {
    const c = ctx();
    expect(
      await expectRevert(async () =>
        confirmByQuorum(42n, c.signature, await confirmations(42n, committeeAccounts(THRESHOLD))),
      ),
    ).toEqual({
      name: 'NotPreDeposited',
      args: [c.drawId, 0],
    });
    await submit(result(), await approve(seats(THRESHOLD)));
    // A second committee makes more operators active than sit in the first one.
    await drawCommittee(client(), c.sys);
    const active = await activeAccounts();
    const quorum = (await client().readContract({
      address: c.sys.accounting,
      abi: accountingAbi,
      functionName: 'quorum',
    })) as bigint;
    // Votes weigh seats (collateral backing them), not heads.
    const seatsOf = new Map<string, bigint>();
    for (const a of active) {
      seatsOf.set(
        a.address,
        (await client().readContract({
          address: c.sys.registry,
          abi: operatorRegistryAbi,
          functionName: 'keySharesOf',
          args: [a.address],
        })) as bigint,
      );
    }
    const weight = (list: readonly { address: `0x${string}` }[]) =>
      list.reduce((sum, a) => sum + (seatsOf.get(a.address) ?? 0n), 0n);
    const enough = <T extends { address: `0x${string}` }>(list: readonly T[]) => {
      let n = 0;
      while (weight(list.slice(0, n)) < quorum) n++;
      return list.slice(0, n);
    };
    expect(quorum).toBe((2n * weight(active) + 2n) / 3n);
    expect(quorum).toBeGreaterThan(BigInt(THRESHOLD));
    // The t key holders of the validator (who could have front-run its first deposit) are not enough.
    expect(
      await expectRevert(async () =>
        confirmByQuorum(42n, c.signature, await confirmations(42n, committeeAccounts(THRESHOLD))),
      ),
    ).toEqual({
      name: 'QuorumNotReached',
      args: [
        weight(active.filter((a) => committeeAccounts(THRESHOLD).some((m) => m.address === a.address))),
        quorum,
      ],
    });
    const q = enough(active).length;
    const insiders = new Set(c.committee.map((a) => a.toLowerCase()));
    // Signatures for another validator index recover to addresses that are not operators.
    expect(
      (
        await expectRevert(async () =>
          confirmByQuorum(42n, c.signature, await confirmations(41n, active.slice(0, q))),
        )
      ).name,
    ).toBe('NotActiveOperator');
    // Someone outside the operator set in the signers.
    const outsider = testAccount('not-an-operator');
    const withOutsider = await confirmations(42n, [...active.slice(0, q - 1), outsider]);
    const sortedSigners = [...active.slice(0, q - 1), outsider].sort((a, b) =>
      BigInt(a.address) < BigInt(b.address) ? -1 : 1,
    );
    expect(await expectRevert(() => confirmByQuorum(42n, c.signature, withOutsider))).toEqual({
      name: 'NotActiveOperator',
      args: [outsider.address, BigInt(sortedSigners.indexOf(outsider))],
    });
    // Out of order.
    const good = await confirmations(42n, active.slice(0, q));
    expect(
      await expectRevert(() => confirmByQuorum(42n, c.signature, [good[1]!, good[0]!, ...good.slice(2)])),
    ).toEqual({
      name: 'SignersNotSorted',
      args: [1n],
    });
    // A quorum in which the committee is a minority.
    const outsiders = active.filter((a) => !insiders.has(a.address.toLowerCase()));
    const signers = enough([...outsiders, ...active.filter((a) => insiders.has(a.address.toLowerCase()))]);
    const receipt = await confirmByQuorum(42n, c.signature, await confirmations(42n, signers));
    expect(signers.filter((a) => insiders.has(a.address.toLowerCase())).length).toBeLessThan(signers.length);
    recordGas('confirmByQuorum (2/3 of active operators, 31 ETH deposit)', receipt.gasUsed);
    expect(await read('stageOf', [c.drawId])).toBe(2);
    expect(await read('validatorIndexOf', [c.drawId])).toBe(42n);
    const d = (amount: number) => ({
      pubkey: hexToBytes(c.pubkey),
      withdrawalCredentials: hexToBytes(c.wc),
      amount,
      signature: hexToBytes(c.signature),
    });
    expect(
      await client().readContract({
        address: c.sys.depositContract,
        abi: depositContractAbi,
        functionName: 'get_deposit_root',
      }),
    ).toBe(bytesToHex(DepositDataList.hashTreeRoot([d(1_000_000_000), d(31_000_000_000)])));
    expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('32'));
    expect(
      await expectRevert(async () =>
        confirmByQuorum(42n, c.signature, await confirmations(42n, active.slice(0, q))),
      ),
    ).toEqual({
      name: 'NotPreDeposited',
      args: [c.drawId, 2],
    });
  });

  describe('confirmation by EIP-4788 proof', () => {
    const proofArgs = (
      timestamp: bigint,
      index: number,
      v: ReturnType<typeof validatorValue>,
      branch: Hex[],
    ) => ({
      timestamp,
      validatorIndex: BigInt(index),
      validator: validatorArg(v),
      branch,
    });
    const confirmByProof = (sig: Hex, proof: ReturnType<typeof proofArgs>) =>
      send(client(), {
        address: ctx().sys.results,
        abi: dkgResultRegistryAbi,
        functionName: 'confirmByProof',
        args: [ctx().drawId, sig, proof],
        chain: null,
      } as never);

    it('deposits 31 ETH on a valid proof of the validator with our credentials', async () => {
      const c = ctx();
      await installBeaconRoots(client());
      await submit(result(), await approve(seats(THRESHOLD)));
      const ours = validatorValue(c.pubkey, c.wc);
      const others = [0, 1, 2].map((k) =>
        validatorValue(
          bytesToHex(new Uint8Array(48).fill(0xa0 + k)),
          `0x01${'00'.repeat(11)}${'77'.repeat(20)}`,
        ),
      );
      const validators = [...others, ours];
      const { blockRoot, branch } = buildValidatorProof(validators, 3);
      expect(branch).toHaveLength(50);
      const timestamp = await pushBeaconRoot(client(), blockRoot);
      expect(
        await expectRevert(() => confirmByProof(c.signature, proofArgs(timestamp + 1000n, 3, ours, branch))),
      ).toEqual({
        name: 'BeaconRootUnavailable',
        args: [timestamp + 1000n],
      });
      expect(
        await expectRevert(() => confirmByProof(c.signature, proofArgs(timestamp, 2, ours, branch))),
      ).toEqual({
        name: 'InvalidValidatorProof',
        args: [c.drawId],
      });
      expect(
        await expectRevert(() =>
          confirmByProof(c.signature, proofArgs(timestamp, 2 ** 40 + 3, ours, branch)),
        ),
      ).toEqual({
        name: 'InvalidValidatorProof',
        args: [c.drawId],
      });
      const other = `0x${'00'.repeat(96)}` as Hex;
      expect(await expectRevert(() => confirmByProof(other, proofArgs(timestamp, 3, ours, branch)))).toEqual({
        name: 'DepositSignatureMismatch',
        args: [c.drawId],
      });
      const receipt = await confirmByProof(c.signature, proofArgs(timestamp, 3, ours, branch));
      recordGas('confirmByProof (EIP-4788 root, 50-node proof, 31 ETH deposit)', receipt.gasUsed);
      expect(await read('stageOf', [c.drawId])).toBe(2);
      expect(await read('validatorIndexOf', [c.drawId])).toBe(3n);
      expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('32'));
    });

    it('refuses to send 31 ETH when the beacon state shows front-run credentials (WithdrawalCredentialsMismatch)', async () => {
      const c = ctx();
      await installBeaconRoots(client());
      await submit(result(), await approve(seats(THRESHOLD)));
      const attackerWc = `0x01${'00'.repeat(11)}${'66'.repeat(20)}` as Hex;
      const frontRun = validatorValue(c.pubkey, attackerWc, 2_000_000_000);
      const { blockRoot, branch } = buildValidatorProof([frontRun], 0, 2);
      const timestamp = await pushBeaconRoot(client(), blockRoot);
      expect(
        await expectRevert(() => confirmByProof(c.signature, proofArgs(timestamp, 0, frontRun, branch))),
      ).toEqual({
        name: 'WithdrawalCredentialsMismatch',
        args: [attackerWc, c.wc],
      });
      const stranger = validatorValue(bytesToHex(new Uint8Array(48).fill(0xcc)), c.wc);
      expect(
        await expectRevert(() => confirmByProof(c.signature, proofArgs(timestamp, 0, stranger, branch))),
      ).toEqual({
        name: 'ValidatorMismatch',
        args: [c.drawId],
      });
      expect(await client().getBalance({ address: c.sys.depositContract })).toBe(parseEther('1'));
    });
  });
});
