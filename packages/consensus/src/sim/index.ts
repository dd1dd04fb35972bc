/** @diva-dvt/consensus/sim — the deterministic network simulator and its stand-in crypto. */
export { EventQueue } from './queue.ts';
export { createRng, type Rng } from './random.ts';
export {
  brokenGuard,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  SIM_SIGNATURE_BYTES,
  type SimCryptoOptions,
  SimPartial,
  type SimSignature,
  simValueType,
} from './scheme.ts';
export {
  BYZANTINE_STRATEGIES,
  type ByzantineStrategy,
  type Faults,
  type InstanceReport,
  type NetworkModel,
  type SimulationConfig,
  simulateInstance,
} from './simulator.ts';
