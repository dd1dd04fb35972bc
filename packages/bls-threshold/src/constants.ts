/**
 * Constants of the Ethereum BLS signature scheme: BLS12-381, minimal-pubkey-size variant (public keys
 * in G1, signatures in G2), proof-of-possession ciphersuite of draft-irtf-cfrg-bls-signature-05 as
 * used by the consensus specs.
 */

/** Domain separation tag of every Ethereum consensus signature. */
export const DST_SIGNATURE = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
/** Domain separation tag of proofs of possession (PopProve / PopVerify). */
export const DST_PROOF_OF_POSSESSION = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

export const SECRET_KEY_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 48;
export const SIGNATURE_LENGTH = 96;

/** Order r of G1, G2 and the scalar field. */
export const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
