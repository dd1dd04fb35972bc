// EvidenceSlasher on Anvil with the real registry and draw and a real DKG: (a) a key share that signed two
// slashable-conflicting beacon messages (double vote, surround vote, double proposal), proven with both
// partial signatures verified on chain (EIP-2537) against the public share approved with the DKG result;
// (b) a leader that signed two proposals for one round (EIP-712, ecrecover). Valid evidence slashes,
// pays the reporter, ejects and draws a replacement; more than f ejections request the validator's exit.
import { computeDomain, computeSigningRoot, DOMAIN_TYPES, ssz } from '@diva-dvt/beacon-api/spec';
import {
  type Address,
  bytesToHex,
  concatHex,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  parseEther,
  parseEventLogs,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { signReshareApproval } from '../src/actions/record-reshare.ts';
import {
  committeeDrawAbi,
  divETHAbi,
  dkgResultRegistryAbi,
  evidenceSlasherAbi,
  evidenceSlasherBytecode,
  exitRequestsAbi,
  operatorRegistryAbi,
} from '../src/generated/index.ts';
import { type AnvilClient, send, useAnvil } from './helpers/anvil.ts';
import { callRevert, expectRevert } from './helpers/crypto-errors.ts';
import { recordGas } from './helpers/crypto-gas.ts';
import { u64 } from './helpers/crypto-ssz.ts';
import {
  createValidator,
  deploySystem,
  drawCommittee,
  FORK_EPOCHS,
  FORK_VERSIONS,
  GENESIS_VALIDATORS_ROOT,
  partialSign,
  publicSharesHex,
  REPORTER_BPS,
  runReshare,
  SLASH_AMOUNT,
  type System,
  signProposalAs,
  type Validator,
} from './helpers/crypto-system.ts';

const REPORTER = getAddress('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'); // anvil account 2

// SSZ values (Lodestar's types: uint64 fields are numbers); the contract ABI takes them as bigint.
type Att = ReturnType<typeof ssz.phase0.AttestationData.defaultValue>;
type Header = ReturnType<typeof ssz.phase0.BeaconBlockHeader.defaultValue>;

function forkVersionAt(epoch: bigint): Uint8Array {
  let v = FORK_VERSIONS[0]!;
  FORK_EPOCHS.forEach((e, i) => {
    if (epoch >= e) v = FORK_VERSIONS[i]!;
  });
  return hexToBytes(v);
}

function attestationRoot(d: Att): Hex {
  const domain = computeDomain(
    DOMAIN_TYPES.beaconAttester,
    forkVersionAt(u64(d.target.epoch)),
    hexToBytes(GENESIS_VALIDATORS_ROOT),
  );
  return bytesToHex(computeSigningRoot(ssz.phase0.AttestationData, d, domain));
}

function headerRoot(h: Header): Hex {
  const domain = computeDomain(
    DOMAIN_TYPES.beaconProposer,
    forkVersionAt(u64(h.slot) / 32n),
    hexToBytes(GENESIS_VALIDATORS_ROOT),
  );
  return bytesToHex(computeSigningRoot(ssz.phase0.BeaconBlockHeader, h, domain));
}

const root = (b: number) => new Uint8Array(32).fill(b);
function attestation(slot: bigint, blockRoot: number, source: bigint, target: bigint): Att {
  return {
    slot: Number(slot),
    index: 3,
    beaconBlockRoot: root(blockRoot),
    source: { epoch: Number(source), root: root(0x50 + Number(source % 100n)) },
    target: { epoch: Number(target), root: root(0x90 + Number(target % 100n)) },
  };
}
const attArg = (d: Att) => ({
  slot: u64(d.slot),
  index: u64(d.index),
  beaconBlockRoot: bytesToHex(d.beaconBlockRoot),
  source: { epoch: u64(d.source.epoch), root: bytesToHex(d.source.root) },
  target: { epoch: u64(d.target.epoch), root: bytesToHex(d.target.root) },
});
function header(slot: bigint, body: number): Header {
  return {
    slot: Number(slot),
    proposerIndex: 77,
    parentRoot: root(1),
    stateRoot: root(2),
    bodyRoot: root(body),
  };
}
const headerArg = (h: Header) => ({
  slot: u64(h.slot),
  proposerIndex: u64(h.proposerIndex),
  parentRoot: bytesToHex(h.parentRoot),
  stateRoot: bytesToHex(h.stateRoot),
  bodyRoot: bytesToHex(h.bodyRoot),
});

describe('EvidenceSlasher', () => {
  const chain = useAnvil({
    setup: async (client: AnvilClient) => {
      // 16 seated + 8 outside the committee: enough replacements for f + 1 ejections
      const sys = await deploySystem(client, { operatorCount: 24 });
      const validator = await createValidator(client, sys);
      return { sys, validator };
    },
  });
  const sys = (): System => chain.context().sys;
  const v = (): Validator => chain.context().validator;
  const client = () => chain.client();

  const evidence = (functionName: string, args: unknown[]) =>
    send(client(), {
      address: sys().evidence,
      abi: evidenceSlasherAbi,
      functionName,
      args,
      account: REPORTER,
      chain: null,
    } as never);

  const operatorView = (op: Address) =>
    client().readContract({
      address: sys().registry,
      abi: operatorRegistryAbi,
      functionName: 'operatorOf',
      args: [op],
    }) as Promise<{
      ejected: boolean;
      collateralEther: bigint;
    }>;
  const committeeNow = () =>
    client().readContract({
      address: sys().draw,
      abi: committeeDrawAbi,
      functionName: 'committeeOf',
      args: [v().drawId],
    }) as Promise<Address[]>;

  /** The ShareRef of generation 0 (the DKG result's shares and committee). */
  const shareRef = (shareIndex: number) => ({
    drawId: v().drawId,
    generation: 0n,
    shareIndex: BigInt(shareIndex),
    committee: v().committee,
    publicShares: publicSharesHex(v().keys),
  });

  function attestationArgs(shareIndex: number, a: Att, b: Att, signerOfSecond = shareIndex): unknown[] {
    return [
      shareRef(shareIndex),
      attArg(a),
      partialSign(v().keys, shareIndex, attestationRoot(a)),
      attArg(b),
      partialSign(v().keys, signerOfSecond, attestationRoot(b)),
    ];
  }

  it('computes attestation and block signing roots as the consensus specs (fork by epoch)', async () => {
    for (const d of [
      attestation(40n, 1, 0n, 1n),
      attestation(400n, 2, 11n, 12n),
      attestation(4000n, 3, 120n, 125n),
    ]) {
      expect(
        await client().readContract({
          address: sys().evidence,
          abi: evidenceSlasherAbi,
          functionName: 'attestationSigningRoot',
          args: [attArg(d)],
        }),
      ).toBe(attestationRoot(d));
    }
    for (const h of [header(5n, 1), header(320n, 2), header(3200n, 3)]) {
      expect(
        await client().readContract({
          address: sys().evidence,
          abi: evidenceSlasherAbi,
          functionName: 'blockHeaderSigningRoot',
          args: [headerArg(h)],
        }),
      ).toBe(headerRoot(h));
    }
  });

  it('slashes, pays the reporter, ejects and replaces a share that double-voted', async () => {
    const shareIndex = 4;
    const operator = v().committee[shareIndex - 1]!;
    const before = await operatorView(operator);
    const reporterBefore = (await client().readContract({
      address: sys().divETH,
      abi: divETHAbi,
      functionName: 'balanceOf',
      args: [REPORTER],
    })) as bigint;
    const receipt = await evidence(
      'proveDoubleAttestation',
      attestationArgs(shareIndex, attestation(320n, 1, 9n, 10n), attestation(321n, 2, 9n, 10n)),
    );
    recordGas(
      'proveDoubleAttestation (2 SSZ roots, 2 BLS verifications, slash + eject + replacement)',
      receipt.gasUsed,
    );
    const logs = parseEventLogs({ abi: evidenceSlasherAbi, logs: receipt.logs });
    const accepted = logs.find((l) => l.eventName === 'EvidenceAccepted')!.args as {
      operator: Address;
      kind: number;
      slashedEther: bigint;
    };
    expect(accepted).toMatchObject({ operator, kind: 1, slashedEther: SLASH_AMOUNT });
    const reshare = logs.find((l) => l.eventName === 'ReshareRequested')!.args as {
      ejected: Address;
      replacement: Address;
    };
    expect(reshare.ejected).toBe(operator);
    const after = await operatorView(operator);
    expect(after.ejected).toBe(true);
    // burning the slashed shares raises the value of what is left (stakers gain), so the drop is a bit less
    expect(before.collateralEther - after.collateralEther).toBeGreaterThan((SLASH_AMOUNT * 95n) / 100n);
    expect(before.collateralEther - after.collateralEther).toBeLessThanOrEqual(SLASH_AMOUNT);
    const reporterAfter = (await client().readContract({
      address: sys().divETH,
      abi: divETHAbi,
      functionName: 'balanceOf',
      args: [REPORTER],
    })) as bigint;
    const reward = reporterAfter - reporterBefore;
    // paid in divETH, which rebases up a little when the rest of the slashed shares is burned
    const due = (SLASH_AMOUNT * REPORTER_BPS) / 10_000n;
    expect(reward).toBeGreaterThanOrEqual(due - 2n);
    expect(reward).toBeLessThanOrEqual((due * 101n) / 100n);
    const committee = await committeeNow();
    expect(committee[shareIndex - 1]).toBe(reshare.replacement);
    expect(committee).not.toContain(operator);
    // the same evidence again
    expect(
      await expectRevert(() =>
        evidence(
          'proveDoubleAttestation',
          attestationArgs(shareIndex, attestation(320n, 1, 9n, 10n), attestation(321n, 2, 9n, 10n)),
        ),
      ),
    ).toEqual({ name: 'AlreadyPunished', args: [v().drawId, operator] });
  });

  it('accepts a surround vote and a double proposal', async () => {
    const surround = await evidence(
      'proveDoubleAttestation',
      attestationArgs(7, attestation(3200n, 1, 50n, 100n), attestation(3300n, 2, 60n, 90n)),
    );
    const kinds = [surround].map(
      (r) =>
        parseEventLogs({ abi: evidenceSlasherAbi, logs: r.logs, eventName: 'EvidenceAccepted' })[0]!.args
          .kind,
    );
    const h1 = header(640n, 5);
    const h2 = header(640n, 6);
    const proposal = await evidence('proveDoubleProposal', [
      shareRef(9),
      headerArg(h1),
      partialSign(v().keys, 9, headerRoot(h1)),
      headerArg(h2),
      partialSign(v().keys, 9, headerRoot(h2)),
    ]);
    recordGas(
      'proveDoubleProposal (2 SSZ roots, 2 BLS verifications, slash + eject + replacement)',
      proposal.gasUsed,
    );
    kinds.push(
      parseEventLogs({ abi: evidenceSlasherAbi, logs: proposal.logs, eventName: 'EvidenceAccepted' })[0]!.args
        .kind,
    );
    expect(kinds).toEqual([2, 3]);
  });

  it('refuses evidence that does not conflict (NotSlashable)', async () => {
    const a = attestation(320n, 1, 9n, 10n);
    const cases: [Att, Att][] = [
      [a, a], // the same vote twice
      [attestation(320n, 1, 9n, 10n), attestation(352n, 2, 10n, 11n)], // consecutive votes
      [attestation(320n, 1, 5n, 10n), attestation(352n, 2, 5n, 11n)], // same source, later target
    ];
    for (const [x, y] of cases) {
      expect(await expectRevert(() => evidence('proveDoubleAttestation', attestationArgs(2, x, y)))).toEqual({
        name: 'NotSlashable',
        args: [1], // KIND_DOUBLE_VOTE: the attestation rules
      });
    }
    const h1 = header(640n, 5);
    const h2 = header(641n, 6);
    const err = await expectRevert(() =>
      evidence('proveDoubleProposal', [
        shareRef(2),
        headerArg(h1),
        partialSign(v().keys, 2, headerRoot(h1)),
        headerArg(h2),
        partialSign(v().keys, 2, headerRoot(h2)),
      ]),
    );
    expect(err).toEqual({ name: 'NotSlashable', args: [3] }); // KIND_DOUBLE_PROPOSAL
  });

  it("refuses evidence whose signatures are not that share's (BadPartialSignature)", async () => {
    const a = attestation(320n, 1, 9n, 10n);
    const b = attestation(321n, 2, 9n, 10n);
    // second partial by another share: each share's misbehaviour is its own
    expect(await expectRevert(() => evidence('proveDoubleAttestation', attestationArgs(2, a, b, 3)))).toEqual(
      {
        name: 'BadPartialSignature',
        args: [2n],
      },
    );
    // first signature over another message
    const args = attestationArgs(2, a, b);
    args[2] = partialSign(v().keys, 2, attestationRoot(attestation(999n, 9, 1n, 2n)));
    expect(await expectRevert(() => evidence('proveDoubleAttestation', args))).toEqual({
      name: 'BadPartialSignature',
      args: [1n],
    });
  });

  it('refuses evidence with public shares, committee or share index other than recorded', async () => {
    const a = attestation(320n, 1, 9n, 10n);
    const b = attestation(321n, 2, 9n, 10n);
    const wrongShares = attestationArgs(2, a, b);
    wrongShares[0] = { ...shareRef(2), publicShares: `0x${'11'.repeat(16 * 48)}` };
    expect(await expectRevert(() => evidence('proveDoubleAttestation', wrongShares))).toEqual({
      name: 'PublicSharesMismatch',
      args: [v().drawId],
    });
    const wrongCommittee = attestationArgs(2, a, b);
    wrongCommittee[0] = { ...shareRef(2), committee: [...v().committee].reverse() };
    expect(await expectRevert(() => evidence('proveDoubleAttestation', wrongCommittee))).toEqual({
      name: 'CommitteeMismatch',
      args: [v().drawId],
    });
    const badIndex = attestationArgs(2, a, b);
    badIndex[0] = { ...shareRef(2), shareIndex: 17n };
    expect(await expectRevert(() => evidence('proveDoubleAttestation', badIndex))).toEqual({
      name: 'BadShareIndex',
      args: [17n, 16n],
    });
    const unknown = attestationArgs(2, a, b);
    unknown[0] = { ...shareRef(2), drawId: v().drawId + 5n };
    expect(await expectRevert(() => evidence('proveDoubleAttestation', unknown))).toEqual({
      name: 'UnknownValidator',
      args: [v().drawId + 5n],
    });
    const future = attestationArgs(2, a, b);
    future[0] = { ...shareRef(2), generation: 1n };
    expect(await expectRevert(() => evidence('proveDoubleAttestation', future))).toEqual({
      name: 'UnknownGeneration',
      args: [v().drawId, 1n],
    });
  });

  it('accepts evidence against reshared shares once t members of the new committee record them', async () => {
    // a leader is ejected and replaced; the committee reshares (the ejected member does not deal)
    const ejected = v().committee[5]!;
    const prop = (b: string) => ({
      instance: `0x${'34'.repeat(32)}` as Hex,
      round: 1n,
      valueRoot: `0x${b.repeat(32)}` as Hex,
    });
    const sign = (m: ReturnType<typeof prop>) => signProposalAs(sys(), ejected, m);
    await evidence('proveEquivocatingLeader', [
      v().drawId,
      prop('01'),
      await sign(prop('01')),
      prop('02'),
      await sign(prop('02')),
    ]);
    const committee = await committeeNow();
    const newcomer = committee[5]!;
    expect(newcomer).not.toBe(ejected);
    const readResults = (functionName: string, args: unknown[]) =>
      client().readContract({
        address: sys().results,
        abi: dkgResultRegistryAbi,
        functionName,
        args,
      } as never) as Promise<unknown>;
    const ceremonyId = (await readResults('reshareCeremonyIdOf', [v().drawId])) as Hex;
    const keys = runReshare(sys(), ceremonyId, v().committee, v().keys, committee, [ejected]);
    expect(bytesToHex(keys.groupPublicKey.bytes)).toBe(v().pubkey);
    const shares = concatHex(keys.publicShares.map((p) => bytesToHex(p.bytes)));
    const approve = (signers: readonly Address[], seats: readonly number[]) =>
      Promise.all(
        seats.map(async (seat, k) => ({
          shareIndex: BigInt(seat),
          signature: await signReshareApproval(sys().byAddress.get(signers[k]!.toLowerCase())!.account, {
            dkgResultRegistry: sys().results,
            chainId: 31337,
            drawId: v().drawId,
            ceremonyId,
            validatorPubkey: v().pubkey,
            publicSharesHash: keccak256(shares),
            generation: 1n,
          }),
        })),
      );
    const record = (approvals: { shareIndex: bigint; signature: Hex }[], drawId = v().drawId) =>
      send(client(), {
        address: sys().results,
        abi: dkgResultRegistryAbi,
        functionName: 'recordReshare',
        args: [drawId, shares, approvals],
        chain: null,
      } as never);
    const seats = Array.from({ length: 11 }, (_, i) => i + 1); // seats 1..11 include the newcomer's (6)
    // the ejected member's approval for its old seat does not count
    const withEjected = await approve(
      seats.map((s) => (s === 6 ? ejected : committee[s - 1]!)),
      seats,
    );
    expect((await expectRevert(() => record(withEjected))).name).toBe('WrongSigner');
    expect(await expectRevert(async () => record((await approve(committee, seats)).slice(0, 10)))).toEqual({
      name: 'TooFewApprovals',
      args: [10n, 11n],
    });
    expect(await expectRevert(() => record([], v().drawId + 7n))).toEqual({
      name: 'UnknownValidator',
      args: [v().drawId + 7n],
    });
    const receipt = await record(
      await approve(
        seats.map((s) => committee[s - 1]!),
        seats,
      ),
    );
    recordGas('recordReshare (11 approvals)', receipt.gasUsed);
    expect(await readResults('generationOf', [v().drawId])).toBe(1n);

    // the newcomer's new share double-votes: generation 1 evidence
    const ref = { drawId: v().drawId, generation: 1n, shareIndex: 6n, committee, publicShares: shares };
    const a = attestation(320n, 1, 9n, 10n);
    const b = attestation(321n, 2, 9n, 10n);
    const args = [
      ref,
      attArg(a),
      partialSign(keys, 6, attestationRoot(a)),
      attArg(b),
      partialSign(keys, 6, attestationRoot(b)),
    ];
    // generation 0 shares do not match the new signatures
    expect(
      await expectRevert(() =>
        evidence('proveDoubleAttestation', [{ ...ref, generation: 0n }, ...args.slice(1)]),
      ),
    ).toEqual({
      name: 'PublicSharesMismatch',
      args: [v().drawId],
    });
    const accepted = await evidence('proveDoubleAttestation', args);
    const log = parseEventLogs({
      abi: evidenceSlasherAbi,
      logs: accepted.logs,
      eventName: 'EvidenceAccepted',
    })[0]!;
    expect(log.args.operator).toBe(newcomer);
    expect((await operatorView(newcomer)).ejected).toBe(true);
  });

  describe('equivocating leader', () => {
    async function signProposal(
      operator: Address,
      message: { instance: Hex; round: bigint; valueRoot: Hex },
    ) {
      return signProposalAs(sys(), operator, message);
    }
    const p = (valueByte: number, round = 3n) => ({
      instance: `0x${'ab'.repeat(32)}` as Hex,
      round,
      valueRoot: `0x${valueByte.toString(16).padStart(2, '0').repeat(32)}` as Hex,
    });

    it('slashes and replaces a leader that signed two proposals for one round', async () => {
      const leader = v().committee[10]!;
      const receipt = await evidence('proveEquivocatingLeader', [
        v().drawId,
        p(1),
        await signProposal(leader, p(1)),
        p(2),
        await signProposal(leader, p(2)),
      ]);
      recordGas('proveEquivocatingLeader (2 ecrecover, slash + eject + replacement)', receipt.gasUsed);
      const accepted = parseEventLogs({
        abi: evidenceSlasherAbi,
        logs: receipt.logs,
        eventName: 'EvidenceAccepted',
      })[0]!.args;
      expect(accepted).toMatchObject({ operator: leader, kind: 4, reporter: REPORTER });
      expect((await operatorView(leader)).ejected).toBe(true);
      expect(await committeeNow()).not.toContain(leader);
    });

    it('punishes one equivocation once, even against another committee of the same leader', async () => {
      const other = await drawCommittee(client(), sys());
      const leader = v().committee.find((a) => other.committee.includes(a))!;
      expect(leader).toBeDefined();
      const args = async (drawId: bigint, round = 3n) => [
        drawId,
        p(1, round),
        await signProposal(leader, p(1, round)),
        p(2, round),
        await signProposal(leader, p(2, round)),
      ];
      await evidence('proveEquivocatingLeader', await args(v().drawId));
      const key = await client().readContract({
        address: sys().evidence,
        abi: evidenceSlasherAbi,
        functionName: 'equivocationKey',
        args: [leader, p(1).instance, 3n],
      });
      expect(
        await client().readContract({
          address: sys().evidence,
          abi: evidenceSlasherAbi,
          functionName: 'equivocationPunished',
          args: [key],
        }),
      ).toBe(true);
      const collateral = (await operatorView(leader)).collateralEther;
      // The same two signatures against the leader's other committee: refused, nothing taken again.
      expect(
        await expectRevert(async () => evidence('proveEquivocatingLeader', await args(other.drawId))),
      ).toEqual({
        name: 'EquivocationAlreadyPunished',
        args: [leader, p(1).instance, 3n],
      });
      expect((await operatorView(leader)).collateralEther).toBe(collateral);
      // Another round is another offence.
      const receipt = await evidence('proveEquivocatingLeader', await args(other.drawId, 4n));
      expect(
        parseEventLogs({ abi: evidenceSlasherAbi, logs: receipt.logs, eventName: 'EvidenceAccepted' })[0]!
          .args,
      ).toMatchObject({ drawId: other.drawId, operator: leader, kind: 4 });
    });

    it('refuses proposals that do not conflict, from two signers, or from outside the committee', async () => {
      const leader = v().committee[0]!;
      const other = v().committee[1]!;
      expect(
        await expectRevert(async () =>
          evidence('proveEquivocatingLeader', [
            v().drawId,
            p(1),
            await signProposal(leader, p(1)),
            p(1),
            await signProposal(leader, p(1)),
          ]),
        ),
      ).toEqual({ name: 'NotSlashable', args: [4] }); // KIND_EQUIVOCATING_LEADER
      expect(
        await expectRevert(async () =>
          evidence('proveEquivocatingLeader', [
            v().drawId,
            p(1),
            await signProposal(leader, p(1)),
            p(2, 4n),
            await signProposal(leader, p(2, 4n)),
          ]),
        ),
      ).toEqual({ name: 'NotSlashable', args: [4] }); // KIND_EQUIVOCATING_LEADER
      expect(
        await expectRevert(async () =>
          evidence('proveEquivocatingLeader', [
            v().drawId,
            p(1),
            await signProposal(leader, p(1)),
            p(2),
            await signProposal(other, p(2)),
          ]),
        ),
      ).toEqual({ name: 'SignerMismatch', args: [leader, other] });
      const outsider = sys()
        .operators.map((o) => o.account.address)
        .find((a) => !v().committee.includes(a))!;
      expect(
        await expectRevert(async () =>
          evidence('proveEquivocatingLeader', [
            v().drawId,
            p(1),
            await signProposal(outsider, p(1)),
            p(2),
            await signProposal(outsider, p(2)),
          ]),
        ),
      ).toEqual({ name: 'NotCommitteeMember', args: [v().drawId, outsider] });
    });

    it('requests the validator exit once more than f members of its committee are ejected', async () => {
      let exitLogs = 0;
      for (let k = 0; k < 6; k++) {
        const leader = v().committee[k]!;
        const receipt = await evidence('proveEquivocatingLeader', [
          v().drawId,
          p(1),
          await signProposal(leader, p(1)),
          p(2),
          await signProposal(leader, p(2)),
        ]);
        exitLogs += parseEventLogs({
          abi: exitRequestsAbi,
          logs: receipt.logs,
          eventName: 'ExitRequested',
        }).length;
        const reason = await client().readContract({
          address: sys().exits,
          abi: exitRequestsAbi,
          functionName: 'exitReasonOf',
          args: [v().drawId],
        });
        expect([k, exitLogs, reason]).toEqual([k, k === 5 ? 1 : 0, k === 5 ? 1 : 0]);
      }
      expect(
        await client().readContract({
          address: sys().exits,
          abi: exitRequestsAbi,
          functionName: 'exitReasonOf',
          args: [v().drawId],
        }),
      ).toBe(1);
      expect(
        await client().readContract({
          address: sys().draw,
          abi: committeeDrawAbi,
          functionName: 'statusOf',
          args: [v().drawId],
        }),
      ).toBe(5);
    });
  });

  it('punishes an old share of an operator already replaced here, without a replacement or an exit', async () => {
    const second = await createValidator(client(), sys());
    const shareIndex = v().committee.findIndex((a) => second.committee.includes(a)) + 1;
    const operator = v().committee[shareIndex - 1]!;
    // equivocation as leader in the second committee: ejected there, replaced there
    const prop = (b: string) => ({
      instance: `0x${'ef'.repeat(32)}` as Hex,
      round: 2n,
      valueRoot: `0x${b.repeat(32)}` as Hex,
    });
    const sign = (m: ReturnType<typeof prop>) => signProposalAs(sys(), operator, m);
    await evidence('proveEquivocatingLeader', [
      second.drawId,
      prop('01'),
      await sign(prop('01')),
      prop('02'),
      await sign(prop('02')),
    ]);
    // anyone replaces the ejected operator in the first committee too
    await send(client(), {
      address: sys().draw,
      abi: committeeDrawAbi,
      functionName: 'drawReplacement',
      args: [v().drawId, operator],
      chain: null,
    } as never);
    expect(await committeeNow()).not.toContain(operator);
    // its old share of the first validator double-voted: slashed again, nothing else to do
    const receipt = await evidence(
      'proveDoubleAttestation',
      attestationArgs(shareIndex, attestation(320n, 1, 9n, 10n), attestation(321n, 2, 9n, 10n)),
    );
    const names = parseEventLogs({ abi: evidenceSlasherAbi, logs: receipt.logs }).map((l) => l.eventName);
    expect(names).toEqual(['EvidenceAccepted']);
    expect(
      await client().readContract({
        address: sys().exits,
        abi: exitRequestsAbi,
        functionName: 'exitReasonOf',
        args: [v().drawId],
      }),
    ).toBe(0);
  });

  it('refuses evidence sent with too little gas for the replacement (InsufficientGas), and bad fork schedules at deploy', async () => {
    const leader = v().committee[13]!;
    const prop = (b: string) => ({
      instance: `0x${'12'.repeat(32)}` as Hex,
      round: 1n,
      valueRoot: `0x${b.repeat(32)}` as Hex,
    });
    const sign = (m: ReturnType<typeof prop>) => signProposalAs(sys(), leader, m);
    const data = encodeFunctionData({
      abi: evidenceSlasherAbi,
      functionName: 'proveEquivocatingLeader',
      args: [v().drawId, prop('01'), await sign(prop('01')), prop('02'), await sign(prop('02'))],
    });
    // enough for the checks, the slash and the ejection, not for the replacement's fixed budget
    const err = await callRevert(client(), evidenceSlasherAbi, {
      account: REPORTER,
      to: sys().evidence,
      data,
      gas: 1_200_000n,
    });
    expect(err.name).toBe('InsufficientGas');
    expect(err.args[1]).toBe(1_500_000n + 1_500_000n / 63n + 150_000n);
    await client().call({ account: REPORTER, to: sys().evidence, data, gas: 3_000_000n }); // and passes with enough
    for (const [versions, epochs] of [
      [[], []],
      [['0x01000000'], [5n]],
      [
        ['0x01000000', '0x02000000'],
        [0n, 0n],
      ],
      [['0x01000000'], [0n, 1n]],
    ] as [Hex[], bigint[]][]) {
      const deployData = encodeDeployData({
        abi: evidenceSlasherAbi,
        bytecode: evidenceSlasherBytecode,
        args: [
          sys().results,
          sys().registry,
          sys().draw,
          sys().exits,
          GENESIS_VALIDATORS_ROOT,
          versions,
          epochs,
          SLASH_AMOUNT,
          REPORTER_BPS,
        ],
      });
      expect(await callRevert(client(), evidenceSlasherAbi, { account: REPORTER, data: deployData })).toEqual(
        { name: 'BadForkSchedule', args: [] },
      );
    }
  });

  it('keeps slashed collateral accounting consistent (reporter paid in divETH, nothing sent as ETH)', async () => {
    const before = await client().getBalance({ address: REPORTER });
    const shareIndex = 12;
    await evidence(
      'proveDoubleAttestation',
      attestationArgs(shareIndex, attestation(320n, 1, 9n, 10n), attestation(321n, 2, 9n, 10n)),
    );
    const after = await client().getBalance({ address: REPORTER });
    expect(after).toBeLessThan(before); // paid gas only
    expect(before - after).toBeLessThan(parseEther('0.01'));
  });
});
