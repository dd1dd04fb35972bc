/**
 * @diva-dvt/consensus — rotational one-round-trip consensus and a QBFT baseline as pure state
 * machines, generic over the value, the partial-signature scheme and message authentication.
 */
export { createMessageAllocator, type MessageAllocator } from './allocator.ts';
export { DEFAULT_MAX_MESSAGE_BYTES, decodeWire, WIRE_VERSION, type WireMessage } from './codec.ts';
export {
  ConsensusError,
  type ConsensusErrorCode,
  type ConsensusErrorDetails,
  isConsensusError,
  type MessagePart,
} from './errors.ts';
export { verifyEvidence } from './evidence.ts';
export { leaderOf, leaderOrder } from './leader.ts';
export {
  type PersistProposalsParameters,
  type ProposalStore,
  persistProposals,
} from './proposal-store.ts';
export type { ProtocolDescriptor } from './protocol.ts';
export { createQbftInstance, QBFT_PROTOCOL, QbftKind, qbftProtocol } from './qbft.ts';
export {
  createRotationalInstance,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
  rotationalProtocol,
} from './rotational.ts';
export { createProtocolSelector, type ProtocolName, type ProtocolPolicy } from './select.ts';
export type {
  ConsensusEvent,
  ConsensusInstance,
  ConsensusOutput,
  ConsensusParameters,
  Decision,
  DropReason,
  Evidence,
  MessageAuthenticator,
  OutgoingMessage,
  PartialScheme,
  SignGuard,
  SignRequest,
  TimerRequest,
  ValueType,
} from './types.ts';
