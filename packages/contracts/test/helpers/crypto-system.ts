// The whole contract system on a real Anvil for the DKG-result, evidence and exit tests: the pool,
// registry and draw (deployDiva), our deposit contract, DkgResultRegistry, ExitRequests and
// EvidenceSlasher; registered operators with collateral, a committee drawn from prevrandao, and a real
// 16-member DKG (@diva-dvt/dkg) whose shares sign the deposit (@diva-dvt/bls-threshold).
import {
  combinePartialSignatures,
  createBls,
  createSeededRandom,
  type PublicKey,
  type SecretKey,
} from '@diva-dvt/bls-threshold';
import {
  createDkgMember,
  createEncryptionKeyPair,
  createSecp256k1Signer,
  createSecp256k1Verifier,
  type DkgMember,
  type DkgOutput,
} from '@diva-dvt/dkg';
import {
  type Address,
  bytesToHex,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  type LocalAccount,
  parseEther,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type LeaderProposal, signLeaderProposal } from '../../src/actions/prove-equivocating-leader.ts';
import { signDkgApproval } from '../../src/actions/submit-dkg-result.ts';
import { getBlockHeaderRlp } from '../../src/block-header.ts';
import { deployDiva, type WithdrawalCredentialsType } from '../../src/deploy.ts';
import {
  createDkgResultSubmission,
  createEvidencePartialSignature,
  type EvidencePartialSignature,
  encodePublicShares,
} from '../../src/dkg-result-submission.ts';
import {
  committeeDrawAbi,
  divETHAbi,
  dkgResultRegistryAbi,
  operatorRegistryAbi,
} from '../../src/generated/index.ts';
import { type AnvilClient, DEV_ACCOUNT, send } from './anvil.ts';
import { TEST_REPORT_PACING } from './system.ts';

export const GENESIS_FORK_VERSION: Hex = '0x10000910'; // hoodi-like, any 4 bytes work on a local chain
export const GENESIS_VALIDATORS_ROOT: Hex = `0x${'4b'.repeat(32)}`;
export const ELECTRA_STATE_VALIDATORS_GINDEX = 75n;
export const FORK_VERSIONS: Hex[] = ['0x10000910', '0x20000910', '0x30000910'];
export const FORK_EPOCHS = [0n, 10n, 100n];
export const SLASH_AMOUNT = parseEther('0.5');
export const REPORTER_BPS = 1000n;
export const COMMITTEE_SIZE = 16;
export const THRESHOLD = 11;

export type Operator = {
  account: LocalAccount;
  privateKey: Hex;
  encryptionSecretKey: Uint8Array;
  encryptionKey: Uint8Array;
};

export type System = {
  depositContract: Address;
  results: Address;
  exits: Address;
  evidence: Address;
  divETH: Address;
  registry: Address;
  draw: Address;
  accounting: Address;
  withdrawalQueue: Address;
  operators: Operator[];
  byAddress: Map<string, Operator>;
};

export function createOperators(count: number, seed: string): Operator[] {
  return Array.from({ length: count }, (_, i) => {
    const random = createSeededRandom(`${seed}/operator/${i}`);
    const privateKey = bytesToHex(random(32));
    const enc = createEncryptionKeyPair(random);
    return {
      account: privateKeyToAccount(privateKey),
      privateKey,
      encryptionSecretKey: enc.secretKey,
      encryptionKey: enc.publicKey,
    };
  });
}

/**
 * Deploys the whole system with one `deployDiva` call (`beacon`: our deposit contract, DKG-result
 * registry, exits and evidence contracts too). With `viaDeployDiva` only its own wiring; otherwise the
 * dev account is also wired as an exit requester, and with `exitsOwnCredentials` the exits contract owns
 * the withdrawal credentials (`withdrawalCredentialsOwner: 'exitRequests'`).
 */
export async function deploySystem(
  client: AnvilClient,
  options: {
    operatorCount?: number;
    exitsOwnCredentials?: boolean;
    viaDeployDiva?: boolean;
    withdrawalCredentialsType?: WithdrawalCredentialsType;
  } = {},
): Promise<System> {
  const diva = await deployDiva(client, {
    ...TEST_REPORT_PACING,
    withdrawalCredentialsType: options.withdrawalCredentialsType ?? 0x01,
    beacon: {
      genesisForkVersion: GENESIS_FORK_VERSION,
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
      forkVersions: FORK_VERSIONS,
      forkEpochs: FORK_EPOCHS,
      stateValidatorsGindex: ELECTRA_STATE_VALIDATORS_GINDEX,
      slashAmountWei: SLASH_AMOUNT,
      reporterBps: REPORTER_BPS,
      ...(options.viaDeployDiva ? {} : { exitRequesters: [DEV_ACCOUNT] }),
      ...(options.exitsOwnCredentials ? { withdrawalCredentialsOwner: 'exitRequests' as const } : {}),
    },
  });
  // Checksummed, as the event decoders return them (deployDiva gives the receipts' lowercase form).
  const contracts = {
    depositContract: getAddress(diva.depositContract!),
    results: getAddress(diva.dkgResultRegistry!),
    exits: getAddress(diva.exitRequests!),
    evidence: getAddress(diva.evidenceSlasher!),
    divETH: diva.divETH,
    registry: diva.operatorRegistry,
    draw: diva.committeeDraw,
    accounting: diva.accounting,
    withdrawalQueue: diva.withdrawalQueue,
  };
  return registerOperators(client, contracts, options.operatorCount ?? 20);
}

type Contracts = Omit<System, 'operators' | 'byAddress'>;

async function registerOperators(client: AnvilClient, c: Contracts, count: number): Promise<System> {
  const operators = createOperators(count, 'crypto-system');
  for (const op of operators) {
    await client.setBalance({ address: op.account.address, value: parseEther('100') });
    const as = { account: op.account, chain: null } as const;
    await send(client, {
      ...as,
      address: c.divETH,
      abi: divETHAbi,
      functionName: 'deposit',
      value: parseEther('3'),
    } as never);
    await send(client, {
      ...as,
      address: c.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [c.registry, parseEther('3')],
    } as never);
    await send(client, {
      ...as,
      address: c.registry,
      abi: operatorRegistryAbi,
      functionName: 'register',
      args: [bytesToHex(op.encryptionKey), ['/ip4/127.0.0.1/tcp/9000']],
    } as never);
    await send(client, {
      ...as,
      address: c.registry,
      abi: operatorRegistryAbi,
      functionName: 'depositCollateral',
      args: [parseEther('2')],
    } as never);
  }
  return {
    ...c,
    operators,
    byAddress: new Map(operators.map((o) => [o.account.address.toLowerCase(), o])),
  };
}

/** Stakes 32 ETH, requests a draw, mines past its target block and finalizes it. Returns the draw id and committee. */
export async function drawCommittee(
  client: AnvilClient,
  sys: System,
): Promise<{ drawId: bigint; committee: Address[] }> {
  await send(client, {
    address: sys.divETH,
    abi: divETHAbi,
    functionName: 'deposit',
    value: parseEther('32'),
    chain: null,
  } as never);
  const { result: drawId } = await client.simulateContract({
    address: sys.draw,
    abi: committeeDrawAbi,
    functionName: 'requestDraw',
    account: DEV_ACCOUNT,
  });
  await send(client, {
    address: sys.draw,
    abi: committeeDrawAbi,
    functionName: 'requestDraw',
    chain: null,
  } as never);
  const draw = (await client.readContract({
    address: sys.draw,
    abi: committeeDrawAbi,
    functionName: 'getDraw',
    args: [drawId],
  })) as {
    targetBlock: bigint;
  };
  await client.mine({ blocks: 3 });
  const header = await getBlockHeaderRlp(client, { blockNumber: draw.targetBlock });
  await send(client, {
    address: sys.draw,
    abi: committeeDrawAbi,
    functionName: 'finalizeDraw',
    args: [drawId, header],
    chain: null,
  } as never);
  const committee = (await client.readContract({
    address: sys.draw,
    abi: committeeDrawAbi,
    functionName: 'committeeOf',
    args: [drawId],
  })) as Address[];
  return { drawId, committee };
}

export type DkgKeys = { groupPublicKey: PublicKey; publicShares: PublicKey[]; secretShares: SecretKey[] };

/** A real in-process DKG ceremony among the committee (share index = seat + 1). */
export function runDkg(committee: readonly Address[], sys: System, ceremonyId: Hex): DkgKeys {
  return runCeremony(sys, ceremonyId, committee, undefined);
}

/**
 * A real resharing ceremony: the old committee's members (except `absent`) deal their shares of `old`,
 * the new committee receives fresh shares of the same key.
 */
export function runReshare(
  sys: System,
  ceremonyId: Hex,
  oldCommittee: readonly Address[],
  old: DkgKeys,
  newCommittee: readonly Address[],
  absent: readonly Address[],
): DkgKeys {
  return runCeremony(sys, ceremonyId, newCommittee, { oldCommittee, old, absent });
}

function runCeremony(
  sys: System,
  ceremonyId: Hex,
  committee: readonly Address[],
  reshare: { oldCommittee: readonly Address[]; old: DkgKeys; absent: readonly Address[] } | undefined,
): DkgKeys {
  const opOf = (a: Address) => {
    const op = sys.byAddress.get(a.toLowerCase());
    if (!op) throw new Error(`no key for committee member ${a}`);
    return op;
  };
  const participant = (a: Address) => ({ address: hexToBytes(a), encryptionKey: opOf(a).encryptionKey });
  const recipients = committee.map(participant);
  const config = {
    ceremonyId: hexToBytes(ceremonyId),
    threshold: THRESHOLD,
    validatorCount: 1,
    recipients,
    ...(reshare
      ? {
          dealers: reshare.oldCommittee.map(participant),
          reshare: {
            previousThreshold: THRESHOLD,
            validators: [
              { groupPublicKey: reshare.old.groupPublicKey, publicShares: reshare.old.publicShares },
            ],
          },
        }
      : {}),
  };
  // Everyone taking part: the dealers (old committee, for a resharing) and the recipients.
  const absent = new Set((reshare?.absent ?? []).map((a) => a.toLowerCase()));
  const everyone = [
    ...new Set([...(reshare?.oldCommittee ?? []), ...committee].map((a) => a.toLowerCase())),
  ].filter((a) => !absent.has(a)) as Address[];
  const members: DkgMember[] = everyone.map((a, i) => {
    const oldSeat = reshare ? reshare.oldCommittee.findIndex((x) => x.toLowerCase() === a) : -1;
    const existing = reshare && oldSeat >= 0 ? { existingShares: [reshare.old.secretShares[oldSeat]!] } : {};
    return createDkgMember({
      config,
      signer: createSecp256k1Signer(hexToBytes(opOf(a).privateKey)),
      verifier: createSecp256k1Verifier(),
      encryptionSecretKey: opOf(a).encryptionSecretKey,
      random: createSeededRandom(`crypto-system/dkg/${ceremonyId}/${i}`),
      ...existing,
    });
  });
  const queue: { to: number; bytes: Uint8Array }[] = [];
  const post = (from: number, out: DkgOutput) => {
    for (const m of out.messages) {
      for (let to = 0; to < members.length; to++) {
        if (to === from) continue;
        if (m.to && !m.to.some((x) => bytesToHex(x).toLowerCase() === everyone[to])) continue;
        queue.push({ to, bytes: m.bytes });
      }
    }
  };
  for (const [i, m] of members.entries()) post(i, m.start());
  for (let round = 0; round < 20; round++) {
    while (queue.length > 0) {
      const { to, bytes } = queue.shift()!;
      post(to, members[to]!.handle(bytes));
    }
    const live = members.filter((m) => m.phase() !== 'done' && m.phase() !== 'aborted');
    if (live.length === 0) break;
    for (const [i, m] of members.entries()) {
      const phase = m.phase();
      if (phase !== 'done' && phase !== 'aborted') post(i, m.timeout(phase as 'deal'));
    }
  }
  const outputs = committee.map((a) => {
    const i = everyone.indexOf(a.toLowerCase() as Address);
    const r = members[i]!.result();
    if (!r) throw new Error(`DKG member ${a} did not finish: ${String(members[i]!.error())}`);
    return r.validators[0]!;
  });
  return {
    groupPublicKey: outputs[0]!.groupPublicKey,
    publicShares: [...outputs[0]!.publicShares],
    secretShares: outputs.map((o) => o.secretShare!),
  };
}

const bls = createBls();

/** Threshold signature over `root` by the shares at `shareIndices` (1-based), combined at x = 0. */
export function thresholdSign(keys: DkgKeys, root: Hex, shareIndices: readonly number[]): Uint8Array {
  const partials = shareIndices.map((i) =>
    bls.signPartial({ shareIndex: i, secretKey: keys.secretShares[i - 1]! }, hexToBytes(root)),
  );
  return combinePartialSignatures(partials, { threshold: THRESHOLD }).bytes;
}

/** One share's partial signature over `root`, compressed and as the uncompressed hint. */
export function partialSign(keys: DkgKeys, shareIndex: number, root: Hex): EvidencePartialSignature {
  const partial = bls.signPartial(
    { shareIndex, secretKey: keys.secretShares[shareIndex - 1]! },
    hexToBytes(root),
  );
  return createEvidencePartialSignature(partial.signature.bytes);
}

export function publicSharesHex(keys: DkgKeys): Hex {
  return encodePublicShares(keys.publicShares.map((p) => p.bytes));
}

export { toHex };

export type Validator = { drawId: bigint; committee: Address[]; keys: DkgKeys; pubkey: Hex; signature: Hex };

/**
 * Draws a committee, runs its DKG, has t members approve and submits the result (1 ETH deposited).
 * `members` picks the approving share indices (default 1..t).
 */
export async function createValidator(
  client: AnvilClient,
  sys: System,
  members: readonly number[] = Array.from({ length: THRESHOLD }, (_, i) => i + 1),
): Promise<Validator> {
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
  const depositSignature = thresholdSign(keys, await read('preDepositSigningRoot', [pubkey]), members);
  const signature = bytesToHex(depositSignature);
  const result = createDkgResultSubmission({
    drawId,
    groupPublicKey: keys.groupPublicKey.bytes,
    publicShares: keys.publicShares.map((p) => p.bytes),
    depositSignature,
    depositDataRoot: await read('preDepositDataRoot', [pubkey, signature]),
  });
  const chainId = await client.getChainId();
  const approvals = await Promise.all(
    members.map(async (shareIndex) => ({
      shareIndex: BigInt(shareIndex),
      signature: await signDkgApproval(sys.byAddress.get(committee[shareIndex - 1]!.toLowerCase())!.account, {
        dkgResultRegistry: sys.results,
        chainId,
        drawId,
        ceremonyId,
        validatorPubkey: pubkey,
        publicSharesHash: keccak256(result.publicShares),
        depositDataRoot: result.depositDataRoot,
      }),
    })),
  );
  await send(client, {
    address: sys.results,
    abi: dkgResultRegistryAbi,
    functionName: 'submitDkgResult',
    args: [result, approvals],
    chain: null,
  } as never);
  return { drawId, committee, keys, pubkey, signature };
}

/** An operator's EIP-712 signature of a leader proposal (the library's signer; Anvil's chain id 31337). */
export function signProposalAs(sys: System, operator: Address, proposal: LeaderProposal): Promise<Hex> {
  return signLeaderProposal(sys.byAddress.get(operator.toLowerCase())!.account, {
    evidenceSlasher: sys.evidence,
    chainId: 31337,
    proposal,
  });
}
