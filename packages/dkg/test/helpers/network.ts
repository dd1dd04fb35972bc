// A deterministic in-process network for DKG members: FIFO delivery, phase deadlines fired when the
// network is quiet, and hooks for offline members and Byzantine rewriting of what a member sends.
import { createSeededRandom, type RandomSource, type SecretKey } from '@diva-dvt/bls-threshold';
import {
  type CeremonyConfig,
  createDkgMember,
  createEncryptionKeyPair,
  createSecp256k1Signer,
  createSecp256k1Verifier,
  type DkgEvent,
  type DkgMember,
  type DkgOutput,
  type KeyAgreement,
  type OperatorSigner,
  type Participant,
  type SignatureVerifier,
} from '../../src/index.ts';

export interface Operator {
  readonly signer: OperatorSigner;
  readonly encryptionSecretKey: Uint8Array;
  readonly participant: Participant;
  readonly random: RandomSource;
}

export function createOperators(count: number, seed: string): Operator[] {
  return Array.from({ length: count }, (_, i) => {
    const random = createSeededRandom(`${seed}/operator/${i}`);
    const signer = createSecp256k1Signer(random(32));
    const enc = createEncryptionKeyPair(random);
    return {
      signer,
      encryptionSecretKey: enc.secretKey,
      participant: { address: signer.address, encryptionKey: enc.publicKey },
      random,
    };
  });
}

export function ceremonyId(label: string): Uint8Array {
  return createSeededRandom(`ceremony/${label}`)(32);
}

/** What a member sends, per recipient: the bytes to deliver instead (none to drop). */
export type Interceptor = (from: number, to: number, bytes: Uint8Array) => Uint8Array[];

export interface RunOptions {
  /** Members (by operator index) that are offline from the given phase on ('deal' = never started). */
  readonly offline?: ReadonlyMap<number, 'deal' | 'complain' | 'justify' | 'finish'>;
  readonly intercept?: Interceptor;
  /** Extra messages injected to every member before the run (replays, garbage). */
  readonly inject?: readonly Uint8Array[];
  /** X25519 implementation handed to every member (default: the package's, noble). */
  readonly keyAgreement?: KeyAgreement;
  /** Makes each member's signature verifier (default: `createSecp256k1Verifier`, noble). */
  readonly verifier?: () => SignatureVerifier;
  /** Sees every member's events as they happen (progress display). */
  readonly onEvents?: (member: number, events: readonly DkgEvent[]) => void;
  /** Resharing: members (by operator index) that lost their shares and only receive. */
  readonly recipientOnly?: ReadonlySet<number>;
}

export interface RunResult {
  readonly members: readonly DkgMember[];
  /** Milliseconds each member spent in its own calls (single-threaded, so this is its CPU time). */
  readonly timings: readonly number[];
  readonly events: readonly DkgEvent[][];
  readonly messages: number;
  readonly bytes: number;
}

const PHASES = ['deal', 'complain', 'justify', 'finish'] as const;

export function runCeremony(
  config: CeremonyConfig,
  operators: readonly Operator[],
  options: RunOptions = {},
  existingShares?: (i: number) => readonly SecretKey[] | undefined,
): RunResult {
  const members = operators.map((op, i) => {
    const shares = existingShares?.(i);
    return createDkgMember({
      config,
      signer: op.signer,
      verifier: options.verifier?.() ?? createSecp256k1Verifier(),
      encryptionSecretKey: op.encryptionSecretKey,
      random: op.random,
      ...(shares ? { existingShares: shares } : {}),
      ...(options.recipientOnly?.has(i) ? { recipientOnly: true } : {}),
      ...(options.keyAgreement ? { keyAgreement: options.keyAgreement } : {}),
    });
  });
  const events: DkgEvent[][] = members.map(() => []);
  const timings = members.map(() => 0);
  const timed = (i: number, call: () => DkgOutput): DkgOutput => {
    const start = performance.now();
    const out = call();
    timings[i]! += performance.now() - start;
    options.onEvents?.(i, out.events);
    return out;
  };
  const queue: { from: number; to: number; bytes: Uint8Array }[] = [];
  let messages = 0;
  let bytes = 0;
  const isOffline = (i: number) => {
    const from = options.offline?.get(i);
    if (from === undefined) return false;
    const p = members[i]!.phase();
    const at = PHASES.indexOf(p as (typeof PHASES)[number]);
    return at < 0 || at >= PHASES.indexOf(from);
  };
  const enqueue = (from: number, out: DkgOutput) => {
    events[from]!.push(...out.events);
    for (const m of out.messages) {
      for (let to = 0; to < members.length; to++) {
        if (to === from) continue;
        if (m.to && !m.to.some((a) => a.every((b, k) => b === operators[to]!.signer.address[k]))) continue;
        const delivered = options.intercept ? options.intercept(from, to, m.bytes) : [m.bytes];
        for (const b of delivered) queue.push({ from, to, bytes: b });
      }
    }
  };
  members.forEach((m, i) => {
    if (options.offline?.get(i) !== 'deal')
      enqueue(
        i,
        timed(i, () => m.start()),
      );
  });
  for (const junk of options.inject ?? []) {
    for (let to = 0; to < members.length; to++) queue.push({ from: -1, to, bytes: junk });
  }
  for (let round = 0; round < 50; round++) {
    while (queue.length > 0) {
      const { from, to, bytes: b } = queue.shift()!;
      if (isOffline(to) || (from >= 0 && isOffline(from))) continue;
      messages++;
      bytes += b.length;
      enqueue(
        to,
        timed(to, () => members[to]!.handle(b)),
      );
    }
    const live = members
      .map((m, i) => ({ m, i }))
      .filter(({ m, i }) => !isOffline(i) && m.phase() !== 'done' && m.phase() !== 'aborted');
    if (live.length === 0) break;
    // Phase deadlines are global: the earliest pending one passes first, for everyone still in it.
    const earliest = Math.min(...live.map(({ m }) => PHASES.indexOf(m.phase() as (typeof PHASES)[number])));
    for (const { m, i } of live) {
      if (m.phase() === PHASES[earliest])
        enqueue(
          i,
          timed(i, () => m.timeout(m.phase())),
        );
    }
  }
  return { members, timings, events, messages, bytes };
}

export function freshConfig(
  operators: readonly Operator[],
  threshold: number,
  validatorCount: number,
  label: string,
): CeremonyConfig {
  return {
    ceremonyId: ceremonyId(label),
    threshold,
    validatorCount,
    recipients: operators.map((o) => o.participant),
  };
}
