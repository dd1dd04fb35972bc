// @diva-dvt/contracts: compiled artifacts (`abi as const` + bytecode), viem actions, watchers, deploy.
export * from './generated/index.ts';
