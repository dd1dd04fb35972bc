// Attack 10 (issue 15): framing with fake public shares. Nothing checked that the public shares approved
// with a validator key interpolate to it: t colluding members could approve a fake share for an honest
// member (then sign conflicting messages with the fake share's secret and have that member slashed by
// the evidence contract). Now the registry checks on chain that all n shares lie on one polynomial of
// degree < t whose value at 0 is the key, at DKG approval and at every reshare.
import { bytesToHex, concatHex, type Hex, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { dkgResultRegistryAbi, errorsAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { g2FromCompressed } from '../helpers/crypto-bls.ts';
import { revertError } from '../helpers/crypto-errors.ts';
import {
  createValidator,
  deploySystem,
  drawCommittee,
  runDkg,
  THRESHOLD,
  thresholdSign,
} from '../helpers/crypto-system.ts';

describe('attack: t colluding members approve a fake public share for an honest member', () => {
  const chain = useAnvil({ setup: async (client) => ({ sys: await deploySystem(client) }) });

  it('the registry refuses the result, so no fake share is ever recorded', async () => {
    const client = chain.client();
    const { sys } = chain.context();
    const { drawId, committee } = await drawCommittee(client, sys);
    const read = (functionName: string, args: unknown[]) =>
      client.readContract({
        address: sys.results,
        abi: dkgResultRegistryAbi,
        functionName,
        args,
      } as never) as Promise<Hex>;
    const ceremonyId = await read('ceremonyIdOf', [drawId]);
    const keys = runDkg(committee, sys, ceremonyId);
    const pubkey = bytesToHex(keys.groupPublicKey.bytes);
    const colluders = Array.from({ length: THRESHOLD }, (_, i) => i + 1);
    const signature = bytesToHex(
      thresholdSign(keys, await read('preDepositSigningRoot', [pubkey]), colluders),
    );
    const depositDataRoot = await read('preDepositDataRoot', [pubkey, signature]);
    // The honest member at share 16 gets a fake public share (here: the colluder at share 15's, whose
    // secret the colluders know); the key and the colluders' shares are genuine.
    const shares = keys.publicShares.map((p) => bytesToHex(p.bytes));
    shares[15] = shares[14]!;
    const fake = concatHex(shares);
    const approvals = await Promise.all(
      colluders.map(async (shareIndex) => ({
        shareIndex: BigInt(shareIndex),
        signature: await sys.byAddress.get(committee[shareIndex - 1]!.toLowerCase())!.account.signTypedData({
          domain: {
            name: 'DivaDkgResult',
            version: '1',
            chainId: await client.getChainId(),
            verifyingContract: sys.results,
          },
          types: {
            DkgApproval: [
              { name: 'drawId', type: 'uint256' },
              { name: 'ceremonyId', type: 'bytes32' },
              { name: 'validatorPubkey', type: 'bytes' },
              { name: 'publicSharesHash', type: 'bytes32' },
              { name: 'depositDataRoot', type: 'bytes32' },
            ],
          },
          primaryType: 'DkgApproval',
          message: {
            drawId,
            ceremonyId,
            validatorPubkey: pubkey,
            publicSharesHash: keccak256(fake),
            depositDataRoot,
          },
        }),
      })),
    );
    const call = {
      address: sys.results,
      abi: [...dkgResultRegistryAbi, ...errorsAbi],
      functionName: 'submitDkgResult',
      args: [
        {
          drawId,
          pubkey,
          publicShares: fake,
          depositSignature: signature,
          depositSignaturePoint: g2FromCompressed(signature),
          depositDataRoot,
        },
        approvals,
      ],
      gas: 5_000_000n,
    } as const;
    let error: string | undefined;
    try {
      await client.simulateContract(call as never);
      await client.waitForTransactionReceipt({
        hash: await client.writeContract({ chain: null, ...call } as never),
      });
    } catch (e) {
      error = revertError(e)?.name ?? String(e);
    }
    // The damage: a recorded fake share for the honest member, usable as evidence against it.
    expect(await read('publicSharesHashOf', [drawId])).not.toBe(keccak256(fake));
    expect(error).toBe('SharesNotOnPolynomial');
  });

  it('a resharing with a fake public share is refused too', async () => {
    const client = chain.client();
    const { sys } = chain.context();
    const v = await createValidator(client, sys);
    const read = (functionName: string, args: unknown[]) =>
      client.readContract({
        address: sys.results,
        abi: dkgResultRegistryAbi,
        functionName,
        args,
      } as never) as Promise<Hex>;
    // t members of the committee "reshare" to the same shares with the last one replaced.
    const shares = v.keys.publicShares.map((p) => bytesToHex(p.bytes));
    shares[15] = shares[14]!;
    const fake = concatHex(shares);
    const ceremonyId = await read('reshareCeremonyIdOf', [v.drawId]);
    const approvals = await Promise.all(
      Array.from({ length: THRESHOLD }, (_, i) => i + 1).map(async (shareIndex) => ({
        shareIndex: BigInt(shareIndex),
        signature: await sys.byAddress
          .get(v.committee[shareIndex - 1]!.toLowerCase())!
          .account.signTypedData({
            domain: {
              name: 'DivaDkgResult',
              version: '1',
              chainId: await client.getChainId(),
              verifyingContract: sys.results,
            },
            types: {
              ReshareApproval: [
                { name: 'drawId', type: 'uint256' },
                { name: 'ceremonyId', type: 'bytes32' },
                { name: 'validatorPubkey', type: 'bytes' },
                { name: 'publicSharesHash', type: 'bytes32' },
                { name: 'generation', type: 'uint256' },
              ],
            },
            primaryType: 'ReshareApproval',
            message: {
              drawId: v.drawId,
              ceremonyId,
              validatorPubkey: v.pubkey,
              publicSharesHash: keccak256(fake),
              generation: 1n,
            },
          }),
      })),
    );
    let error: string | undefined;
    try {
      await client.simulateContract({
        address: sys.results,
        abi: [...dkgResultRegistryAbi, ...errorsAbi],
        functionName: 'recordReshare',
        args: [v.drawId, fake, approvals],
      } as never);
    } catch (e) {
      error = revertError(e)?.name ?? String(e);
    }
    // The damage would be a recorded generation whose share 16 is not the honest member's.
    expect(error).toBe('SharesNotOnPolynomial');
    expect(await read('generationOf', [v.drawId])).toBe(0n);
  });
});
