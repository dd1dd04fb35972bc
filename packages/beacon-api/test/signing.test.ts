import { signingSuite } from './helpers/signing-suite.ts';

signingSuite('mainnet');
