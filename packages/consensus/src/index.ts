/**
 * @diva-dvt/consensus — rotational one-round-trip consensus and a QBFT baseline as pure state
 * machines, generic over the value, the partial-signature scheme and message authentication.
 */
export {
  attachSignature,
  ConsensusCodecError,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeWire,
  encodeUnsigned,
  WIRE_VERSION,
  type WireMessage,
} from './codec.ts';
export { verifyEvidence } from './evidence.ts';
export { leaderOf, leaderOrder } from './leader.ts';
export type { ProtocolDescriptor } from './protocol.ts';
export { createQbftInstance, QBFT_PROTOCOL, QbftKind, qbftProtocol } from './qbft.ts';
export {
  createRotationalInstance,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
  rotationalProtocol,
} from './rotational.ts';
export {
  createProtocolSelector,
  type ProtocolName,
  type ProtocolPolicy,
  ProtocolPolicyError,
} from './select.ts';
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
  TimerRequest,
  ValueType,
} from './types.ts';
