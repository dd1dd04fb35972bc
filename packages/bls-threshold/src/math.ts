/**
 * @diva-dvt/bls-threshold/math — the curve and scalar-field building blocks that protocols built on
 * threshold BLS (the DKG's verifiable secret sharing) share with this package, so that the math lives
 * once, and the raw RFC 9380 hash-to-G2 with a caller's DST for known-answer tests. Users who only
 * sign, verify and combine need nothing from here. Re-exported by name.
 */
export { randomBatchScalars } from './batch-scalars.ts';
export { G1, hashToG2WithDst, msmG1, multiplyG1Generator, reduceScalar } from './curve.ts';
export { commitPolynomial, createPolynomial } from './shamir.ts';
