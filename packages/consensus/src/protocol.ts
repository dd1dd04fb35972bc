/**
 * A protocol as a runtime selects it: its wire id, its name, and how to create an instance.
 */
import type { ConsensusInstance, ConsensusParameters } from './types.ts';

export interface ProtocolDescriptor {
  /** The protocol byte of its messages. */
  readonly id: number;
  readonly name: string;
  create<V, P, S>(params: ConsensusParameters<V, P, S>): ConsensusInstance<V, S>;
}
