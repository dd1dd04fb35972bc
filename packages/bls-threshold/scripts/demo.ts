// pnpm demo: split a validator key 11-of-16, sign with 11 shares, combine, verify, print.
// Also shows robust combination naming a member that sent a bad partial.
import { createBls, SecretKey, splitSecretKey } from '../src/index.ts';

const n = 16;
const t = Math.floor((2 * n) / 3) + 1; // 11
const bls = createBls();
const ms = (start: number) => `${(performance.now() - start).toFixed(0)} ms`;
const short = (hex: string) => `${hex.slice(0, 18)}…${hex.slice(-8)}`;

let start = performance.now();
const validatorKey = SecretKey.random();
const { groupPublicKey, shares, publicShares } = splitSecretKey(validatorKey, {
  threshold: t,
  shareCount: n,
});
console.log(`split a validator key ${t}-of-${n}             ${ms(start)}`);
console.log(`  group public key  ${short(groupPublicKey.toHex())}`);

const message = new TextEncoder().encode('attestation signing root, slot 1234');
const signers = [3, 1, 16, 7, 9, 12, 2, 5, 14, 10, 8]; // any 11 of the 16
start = performance.now();
const partials = signers.map((i) => bls.signPartial(shares[i - 1]!, message));
console.log(`${t} members signed partials                ${ms(start)}  (shares ${signers.join(', ')})`);

start = performance.now();
const result = bls.robustCombine({
  groupPublicKey,
  publicShares: publicShares.map((s) => s.publicKey),
  threshold: t,
  message,
  partials,
});
if (!result.ok) throw new Error('combination failed');
console.log(`verified and combined                     ${ms(start)}`);
console.log(`  group signature   ${short(result.signature.toHex())}`);
const direct = bls.sign(validatorKey, message);
console.log(`  equals the unsplit key's signature: ${result.signature.equals(direct)}`);
console.log(`  verifies under the group key:      ${bls.verify(groupPublicKey, message, result.signature)}`);

// Member 7 lies: its partial is a signature over another message.
const forged = partials.map((p) =>
  p.shareIndex === 7 ? bls.signPartial(shares[6]!, new TextEncoder().encode('other')) : p,
);
const extra = bls.signPartial(shares[3]!, message); // a 12th member arrives in time
start = performance.now();
const robust = bls.robustCombine({
  groupPublicKey,
  publicShares: publicShares.map((s) => s.publicKey),
  threshold: t,
  message,
  partials: [...forged, extra],
});
if (!robust.ok) throw new Error('robust combination failed');
console.log(`with one bad partial among 12            ${ms(start)}`);
console.log(
  `  culprits: share ${robust.invalidIndices.join(', ')}; signature still valid: ${bls.verify(groupPublicKey, message, robust.signature)}`,
);
