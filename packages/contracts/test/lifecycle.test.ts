// The whole lifecycle in one test, on Anvil with every contract deployed and wired: operators register
// and lock collateral; a staker deposits 64 ETH; two committees are drawn on mined blocks; each runs a
// real DKG (@diva-dvt/dkg) and t members approve its result with a real threshold deposit signature
// (1 ETH deposited), then confirm the credentials (31 ETH); quorum reports rebase divETH and pay
// operators; evidence of a double vote slashes, ejects and replaces a member; the staker withdraws.
import { computeDomain, computeSigningRoot, DOMAIN_TYPES, ssz } from '@diva-dvt/beacon-api/spec';
import { type Address, getAddress, type LocalAccount, parseEther, parseEventLogs } from 'viem';
import { describe, expect, it } from 'vitest';
import { signWithdrawalCredentialsConfirmation } from '../src/actions/confirm-by-quorum.ts';
import {
  accountingAbi,
  committeeDrawAbi,
  divETHAbi,
  dkgResultRegistryAbi,
  evidenceSlasherAbi,
  operatorRegistryAbi,
  withdrawalQueueAbi,
} from '../src/generated/index.ts';
import { DEV_ACCOUNT, send, useAnvil } from './helpers/anvil.ts';
import { bytesToHex, hexToBytes } from './helpers/crypto-bls.ts';
import {
  createValidator,
  deploySystem,
  FORK_VERSIONS,
  GENESIS_VALIDATORS_ROOT,
  partialSign,
  publicSharesHex,
} from './helpers/crypto-system.ts';
import { signReport } from './helpers/system.ts';

const REPORTER = getAddress('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'); // anvil account 2

describe('lifecycle', () => {
  const chain = useAnvil();

  it('stakes, draws two committees, deposits with real threshold signatures, reports, slashes and withdraws', async () => {
    const client = chain.client();
    const sys = await deploySystem(client, { operatorCount: 24 });
    const div = (functionName: string, args: readonly unknown[] = []) =>
      client.readContract({
        address: sys.divETH,
        abi: divETHAbi,
        functionName,
        args,
      } as never) as Promise<bigint>;
    const reg = (functionName: string, args: readonly unknown[] = []) =>
      client.readContract({
        address: sys.registry,
        abi: operatorRegistryAbi,
        functionName,
        args,
      } as never) as Promise<never>;

    // 24 operators with 2 divETH of collateral each.
    expect(await reg('operatorCount')).toBe(24n);
    expect(await reg('totalCapacity')).toBe(48n);

    // Two validators: the staker (dev account) deposits 32 ETH before each draw, 64 in all.
    const v1 = await createValidator(client, sys);
    const v2 = await createValidator(client, sys);
    expect(v1.committee).toHaveLength(16);
    expect(v2.committee).toHaveLength(16);
    expect(await reg('totalKeyShares')).toBe(32n);
    expect(await div('depositedEther')).toBe(parseEther('2'));

    // A quorum of all active operators (2/3, as for reports) confirms the credentials: 31 ETH more each.
    const wc = (await div('withdrawalCredentials')) as unknown as `0x${string}`;
    const active: LocalAccount[] = [];
    for (const op of sys.operators)
      if (await reg('isActiveOperator', [op.account.address])) active.push(op.account);
    active.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    // Votes weigh seats: signers (in address order) until they hold ceil(2/3) of the active seats.
    const neededWeight = (await client.readContract({
      address: sys.accounting,
      abi: accountingAbi,
      functionName: 'quorum',
    })) as bigint;
    const quorumSigners: LocalAccount[] = [];
    for (let weight = 0n, i = 0; weight < neededWeight; i++) {
      quorumSigners.push(active[i]!);
      weight += (await reg('votingWeightOf', [active[i]!.address])) as bigint;
    }
    for (const [i, v] of [v1, v2].entries()) {
      const validatorIndex = BigInt(100 + i);
      const signatures = await Promise.all(
        quorumSigners.map((account) =>
          signWithdrawalCredentialsConfirmation(account, {
            dkgResultRegistry: sys.results,
            chainId: 31337,
            drawId: v.drawId,
            validatorPubkey: v.pubkey,
            validatorIndex,
            withdrawalCredentials: wc,
          }),
        ),
      );
      await send(client, {
        address: sys.results,
        abi: dkgResultRegistryAbi,
        functionName: 'confirmByQuorum',
        args: [v.drawId, validatorIndex, v.signature, signatures],
        chain: null,
      } as never);
    }
    expect(await div('depositedEther')).toBe(parseEther('64'));
    expect(await client.getBalance({ address: sys.depositContract })).toBe(parseEther('64'));

    // Reports, signed by 2/3 of the active operators.
    const activeSigners = async (): Promise<LocalAccount[]> => {
      const out: LocalAccount[] = [];
      for (const op of sys.operators)
        if (await reg('isActiveOperator', [op.account.address])) out.push(op.account);
      return out;
    };
    const submit = async (report: {
      epoch: bigint;
      clBalance: bigint;
      clDepositedEther: bigint;
      exitedValidators: bigint;
      penalties: readonly { operator: Address; amount: bigint }[];
    }) => {
      // Votes weigh seats: signers until they hold ceil(2/3) of the active seats.
      const needed = (await client.readContract({
        address: sys.accounting,
        abi: accountingAbi,
        functionName: 'quorum',
      })) as bigint;
      const signers: LocalAccount[] = [];
      let weight = 0n;
      for (const account of await activeSigners()) {
        if (weight >= needed) break;
        signers.push(account);
        weight += (await reg('votingWeightOf', [account.address])) as bigint;
      }
      const signatures = await signReport(client, { accounting: sys.accounting } as never, report, signers);
      return send(client, {
        address: sys.accounting,
        abi: accountingAbi,
        functionName: 'submitReport',
        args: [
          { withdrawnEther: 0n, elRewards: 0n, ...report, penalties: [...report.penalties] },
          signatures,
        ],
        chain: null,
      } as never);
    };
    const pooled0 = await div('totalPooledEther');
    await submit({
      epoch: 1n,
      clBalance: parseEther('64'),
      clDepositedEther: parseEther('64'),
      exitedValidators: 0n,
      penalties: [],
    });
    expect(await div('totalPooledEther')).toBe(pooled0);
    const stakerBefore = await div('balanceOf', [DEV_ACCOUNT]);
    // Rewards: the validators earned 0.5 ETH on the beacon chain.
    await submit({
      epoch: 2n,
      clBalance: parseEther('64.5'),
      clDepositedEther: parseEther('64'),
      exitedValidators: 0n,
      penalties: [],
    });
    expect((await div('totalPooledEther')) - pooled0).toBe(parseEther('0.5'));
    expect(await div('balanceOf', [DEV_ACCOUNT])).toBeGreaterThan(stakerBefore);
    const member = sys.byAddress.get(v1.committee[0]!.toLowerCase())!.account;
    const pending = (await reg('pendingRewards', [member.address])) as bigint;
    expect(pending).toBeGreaterThan(0n);
    await send(client, {
      account: member,
      address: sys.registry,
      abi: operatorRegistryAbi,
      functionName: 'claimRewards',
      chain: null,
    } as never);
    expect(await div('sharesOf', [member.address])).toBeGreaterThanOrEqual(pending);

    // Evidence: share 4 of the first validator signed two different attestations for one target.
    const shareIndex = 4;
    const offender = v1.committee[shareIndex - 1]!;
    const attestation = (blockRoot: number) => ({
      slot: 320,
      index: 3,
      beaconBlockRoot: new Uint8Array(32).fill(blockRoot),
      source: { epoch: 8, root: new Uint8Array(32).fill(0x58) },
      target: { epoch: 9, root: new Uint8Array(32).fill(0x99) },
    });
    // Epoch 9 is before the second fork (epoch 10): the genesis fork version signs.
    const domain = computeDomain(
      DOMAIN_TYPES.beaconAttester,
      hexToBytes(FORK_VERSIONS[0]!),
      hexToBytes(GENESIS_VALIDATORS_ROOT),
    );
    const signed = (blockRoot: number) => {
      const a = attestation(blockRoot);
      const root = bytesToHex(computeSigningRoot(ssz.phase0.AttestationData, a, domain));
      return [
        {
          slot: BigInt(a.slot),
          index: BigInt(a.index),
          beaconBlockRoot: bytesToHex(a.beaconBlockRoot),
          source: { epoch: BigInt(a.source.epoch), root: bytesToHex(a.source.root) },
          target: { epoch: BigInt(a.target.epoch), root: bytesToHex(a.target.root) },
        },
        partialSign(v1.keys, shareIndex, root),
      ] as const;
    };
    const receipt = await send(client, {
      account: REPORTER,
      address: sys.evidence,
      abi: evidenceSlasherAbi,
      functionName: 'proveDoubleAttestation',
      args: [
        {
          drawId: v1.drawId,
          generation: 0n,
          shareIndex: BigInt(shareIndex),
          committee: v1.committee,
          publicShares: publicSharesHex(v1.keys),
        },
        ...signed(1),
        ...signed(2),
      ],
      chain: null,
    } as never);
    const events = parseEventLogs({ abi: evidenceSlasherAbi, logs: receipt.logs });
    const reshare = events.find((e) => e.eventName === 'ReshareRequested')!.args as {
      ejected: Address;
      replacement: Address;
    };
    expect(reshare.ejected).toBe(offender);
    expect(((await reg('operatorOf', [offender])) as { ejected: boolean }).ejected).toBe(true);
    const committeeNow = (await client.readContract({
      address: sys.draw,
      abi: committeeDrawAbi,
      functionName: 'committeeOf',
      args: [v1.drawId],
    })) as Address[];
    expect(committeeNow[shareIndex - 1]).toBe(reshare.replacement);
    expect(committeeNow).not.toContain(offender);
    expect(await div('balanceOf', [REPORTER])).toBeGreaterThan(0n);

    // A report after the ejection: the quorum is 2/3 of the operators still active.
    await submit({
      epoch: 3n,
      clBalance: parseEther('64.6'),
      clDepositedEther: parseEther('64'),
      exitedValidators: 0n,
      penalties: [],
    });

    // The staker withdraws 10 divETH: request, finalize, claim.
    await send(client, {
      address: sys.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [sys.withdrawalQueue, parseEther('10')],
      chain: null,
    } as never);
    await send(client, {
      address: sys.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'requestWithdrawal',
      args: [parseEther('10')],
      chain: null,
    } as never);
    // Finalized only at a report whose reference epoch began after the request: the next frame's.
    await client.increaseTime({ seconds: 86_400 });
    await client.mine({ blocks: 1 });
    await submit({
      epoch: (await client.readContract({
        address: sys.accounting,
        abi: accountingAbi,
        functionName: 'currentReferenceEpoch',
      })) as bigint,
      clBalance: parseEther('64.6'),
      clDepositedEther: parseEther('64'),
      exitedValidators: 0n,
      penalties: [],
    });
    await send(client, {
      address: sys.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'finalize',
      args: [10n],
      chain: null,
    } as never);
    const sink = '0x000000000000000000000000000000000000beef';
    await send(client, {
      address: sys.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'claim',
      args: [1n, sink],
      chain: null,
    } as never);
    // The locked shares are rounded down: at most 1 wei less than asked, never more.
    const paid = await client.getBalance({ address: sink });
    expect(paid).toBeLessThanOrEqual(parseEther('10'));
    expect(parseEther('10') - paid).toBeLessThanOrEqual(1n);
  }, 600_000); // one long test: a slow CI machine must not time it out
});
