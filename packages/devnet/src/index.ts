export { type AnvilNode, defaultAnvilBinary, type StartAnvilOptions, startAnvil } from './anvil.ts';
export { type ChainDeposits, type ReadChainDepositsOptions, readChainDeposits } from './chain-deposits.ts';
export {
  DevnetError,
  type DevnetErrorCode,
  type DevnetErrorDetails,
  isDevnetError,
} from './errors.ts';
export {
  type BuildGenesisStateOptions,
  buildGenesisState,
  GENESIS_FORK_VERSIONS,
  type GenesisDeposit,
  type GenesisState,
  type GenesisValidator,
} from './genesis.ts';
export { interopSecretKey } from './interop.ts';
export {
  defaultLodestarBinary,
  type LodestarEth1,
  type LodestarExit,
  type LodestarGenesis,
  type LodestarGenesisInfo,
  type LodestarNode,
  type LodestarPreset,
  type LodestarStopResult,
  type StartLodestarOptions,
  startLodestar,
  stopAllLodestarNodes,
  withLodestar,
} from './lodestar.ts';
export {
  exportBlocks,
  type ImportedBlocks,
  importBlocks,
  type SavedBlocks,
} from './lodestar-blocks.ts';
export { allocatePort, allocatePortRange, isPortFree } from './ports.ts';
