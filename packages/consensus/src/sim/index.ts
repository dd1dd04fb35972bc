/**
 * @diva-dvt/consensus/sim — the deterministic network simulator, its stand-in crypto and guards, and
 * the wire helpers that tests and adversaries use to build messages by hand.
 */

export { attachSignature, encodeUnsigned } from '../codec.ts';
export {
  BYZANTINE_STRATEGIES,
  type ByzantineStrategy,
  type Faults,
  type InstanceReport,
  type NetworkModel,
  type SimulationConfig,
} from './config.ts';
export { brokenGuard, createMemoryGuard, type MemoryGuardOptions } from './guard.ts';
export { createMemoryProposalStore } from './proposal-store.ts';
export { EventQueue } from './queue.ts';
export { createRng, type Rng } from './random.ts';
export {
  createSimAuth,
  createSimScheme,
  SIM_SIGNATURE_BYTES,
  type SimCryptoOptions,
  SimPartial,
  type SimSignature,
  simValueType,
} from './scheme.ts';
export { simulateInstance } from './simulator.ts';
