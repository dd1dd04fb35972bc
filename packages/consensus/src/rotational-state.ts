/**
 * What one rotational member holds of other members' messages, by round: the first signed proposal
 * of each round from its leader (received directly or relayed inside a round change), with
 * equivocation evidence, once per round, when the leader's second proposal of a round carries
 * another value; and the first round change of each member per round. Also the reading of a
 * relayed proposal (a round change embeds the proposal its sender voted for).
 */
import { equal, hex, key, keyHex } from './bytes.ts';
import { BodyReader, decodeWire } from './codec.ts';
import type { HeldRoundChange } from './justification.ts';
import type { Evidence, MessageAuthenticator } from './types.ts';

/** The proposal kind (as in `RotationalKind`; here to avoid an import cycle). */
const PROPOSAL = 1;

export interface HeldProposal {
  /** Key of the value's bytes. */
  readonly digest: string;
  /** The signed proposal message (evidence, and relayed in round changes). */
  readonly message: Uint8Array;
  readonly value: Uint8Array;
}

export class ProposalBook {
  private readonly byRound = new Map<number, HeldProposal>();
  /** Rounds whose leader was seen to equivocate (evidence produced once per round). */
  private readonly equivocated: number[] = [];
  private readonly evidence: (evidence: Evidence) => void;

  constructor(evidence: (evidence: Evidence) => void) {
    this.evidence = evidence;
  }

  get(round: number): HeldProposal | undefined {
    return this.byRound.get(round);
  }

  /**
   * Records `leader`'s proposal of `round` (`message`, carrying `value`): true if it is the first
   * of the round. A later one with another value is evidence against the leader (once per round).
   */
  record(round: number, leader: number, value: Uint8Array, message: Uint8Array): boolean {
    const digest = key(value);
    const before = this.byRound.get(round);
    if (before === undefined) {
      this.byRound.set(round, { digest, message, value });
      return true;
    }
    if (before.digest !== digest && !this.equivocated.includes(round)) {
      this.equivocated.push(round);
      this.evidence({ kind: 'equivocating-leader', member: leader, messages: [before.message, message] });
    }
    return false;
  }

  /** The proposals held, for `describe()`: round, value and the message's last bytes, sorted. */
  describe(): string {
    const tail = (b: Uint8Array) => hex(b.subarray(Math.max(0, b.length - 16)));
    return [...this.byRound]
      .map(([r, p]) => `${r}:${keyHex(p.digest)}/${tail(p.message)}`)
      .sort()
      .join(',');
  }
}

/** A relayed proposal that holds up: signed by the leader of its round, of this instance. */
export interface RelayedProposal {
  readonly round: number;
  readonly sender: number;
  readonly value: Uint8Array;
}

/**
 * Reads a proposal relayed inside a round change: undefined unless it is a rotational proposal of
 * `instance` for a round up to `maxRound`, sent and signed by that round's leader (`leaderOf`).
 * Throws if such a proposal's body is malformed.
 */
export function readRelayedProposal(
  bytes: Uint8Array,
  instance: Uint8Array,
  maxRound: number,
  leaderOf: (round: number) => number,
  auth: MessageAuthenticator,
): RelayedProposal | undefined {
  if (bytes.length === 0) return undefined;
  let m: ReturnType<typeof decodeWire>;
  try {
    m = decodeWire(bytes);
  } catch {
    return undefined;
  }
  if (m.kind !== PROPOSAL || !equal(m.instance, instance)) return undefined;
  // Kept only for rounds a direct one would be.
  if (m.round > maxRound) return undefined;
  if (m.sender !== leaderOf(m.round) || !auth.verify(m.sender, m.signed, m.signature)) return undefined;
  // A body that does not read throws: the round change that carried it is dropped as malformed.
  return { round: m.round, sender: m.sender, value: new BodyReader(m.body).bytesField() };
}

/** Round changes by round, then sender: the root each claims (a key, null for none) and its bytes. */
export class RoundChangeBook {
  /** Created at the first round change (most instances decide in round 1 and never need it). */
  private byRound: Map<number, Map<number, HeldRoundChange>> | undefined;

  get(round: number): ReadonlyMap<number, HeldRoundChange> | undefined {
    return this.byRound?.get(round);
  }

  /** Records `from`'s round change of `round` (its first is kept); returns how many members' are held. */
  add(round: number, from: number, root: string | null, bytes: Uint8Array): number {
    if (this.byRound === undefined) this.byRound = new Map();
    let held = this.byRound.get(round);
    if (held === undefined) {
      held = new Map();
      this.byRound.set(round, held);
    }
    if (!held.has(from)) held.set(from, { root, bytes });
    return held.size;
  }

  /** The round changes held, for `describe()`: by round, then sender, with the root and last bytes. */
  describe(): string {
    const tail = (b: Uint8Array) => hex(b.subarray(Math.max(0, b.length - 16)));
    return [...(this.byRound ?? [])]
      .map(
        ([r, m]) =>
          `${r}:${[...m]
            .map(([from, rc]) => `${from}=${rc.root === null ? '-' : keyHex(rc.root)}/${tail(rc.bytes)}`)
            .sort()
            .join('.')}`,
      )
      .sort()
      .join(',');
  }
}
