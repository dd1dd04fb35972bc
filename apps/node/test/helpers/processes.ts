// Real diva-node processes for end-to-end tests: the devnet command's process runner
// (src/devnet/processes.ts), every log line kept in memory.
export { type LogLine, type NodeProcess, nodeProcess } from '../../src/devnet/processes.ts';
