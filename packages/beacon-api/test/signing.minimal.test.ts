import { signingSuite } from './helpers/signing-suite.ts';

signingSuite('minimal');
