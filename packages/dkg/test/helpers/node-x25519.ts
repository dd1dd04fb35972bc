// The native X25519 an operator runtime injects, from the package's Node entry point.
export { nodeX25519 } from '../../src/node.ts';
