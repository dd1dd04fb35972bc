// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title BLS12381: Ethereum BLS signature verification over the EIP-2537 precompiles.
/// @notice Ciphersuite `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (public keys in G1, signatures in G2),
/// as in the consensus specification and RFC 9380 (hash_to_curve, expand_message_xmd with SHA-256).
///
/// Encodings: an Fp element is 64 bytes (16 zero bytes, then 48 bytes big-endian); G1 = x || y (128 bytes),
/// G2 = x.c0 || x.c1 || y.c0 || y.c1 (256 bytes), as EIP-2537 reads them. Compressed points are the ZCash
/// format every Ethereum client uses (48 bytes G1, 96 bytes G2 with x.c1 first).
///
/// Points from outside:
/// - G1 public keys are decompressed on chain: y = sqrt(x^3 + 4) with the MODEXP precompile (p = 3 mod 4, so
///   sqrt(a) = a^((p+1)/4)), checked by squaring, sign chosen by the `a` flag. About 10k gas.
/// - G2 signatures are not decompressed (a square root in Fp2 costs more code than it saves); the caller
///   passes the uncompressed point beside the compressed bytes, and `checkG2Matches` binds them: the same
///   x, the same sign of y, valid flags. The curve equation then leaves only y or -y, and the sign picks one.
/// - Curve membership and subgroup checks of both are done by PAIRING_CHECK (EIP-2537 requires them there).
///   A point that fails them makes the precompile fail, which `verify` reports as `false`. Identity public
///   keys are refused (KeyValidate); an identity signature never verifies against a non-identity key.
library BLS12381 {
    address internal constant MODEXP = address(0x05);
    address internal constant G1MSM = address(0x0c);
    address internal constant G2ADD = address(0x0d);
    /// The order of G1 and G2 (scalars of public-share polynomials live mod Q).
    uint256 internal constant Q = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP2_TO_G2 = address(0x11);

    /// @dev EIP-2537 gas: pairing 32600 k + 37700; map to G2 23800; G2 add 600. A failing precompile burns
    /// what it was given, so each call gets its price plus a small margin, never the caller's whole budget.
    uint256 internal constant PAIRING2_GAS = 32600 * 2 + 37700 + 1000;
    uint256 internal constant MAP_G2_GAS = 23800 + 1000;
    uint256 internal constant G2ADD_GAS = 600 + 400;
    uint256 internal constant MODEXP_GAS = 20_000;

    /// The Ethereum proof-of-possession ciphersuite's domain separation tag.
    bytes internal constant ETH_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    // p split as (top 128 bits, low 256 bits).
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
    // (p - 1) / 2: y is "lexicographically largest" iff y > this.
    uint256 internal constant HALF_HI = 0x0d0088f51cbff34d258dd3db21a5d66b;
    uint256 internal constant HALF_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;
    // -G1: the generator with y negated, for e(pk, H(m)) * e(-G1, sig) == 1.
    uint256 internal constant NEG_G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 internal constant NEG_G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 internal constant NEG_G1_Y_HI = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 internal constant NEG_G1_Y_LO = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;
    // (p + 1) / 4, the square-root exponent (48 bytes).
    bytes internal constant SQRT_EXP =
        hex"0680447a8e5ff9a692c6e9ed90d2eb35d91dd2e13ce144afd9cc34a83dac3d8907aaffffac54ffffee7fbfffffffeaab";

    error InvalidG1Encoding(bytes pubkey, uint8 reason);
    error InvalidG2Encoding(bytes signature, uint8 reason);
    error PrecompileFailed(address precompile);
    error XmdTooLong(uint256 lenInBytes, uint256 dstLength);

    // Reasons in InvalidG1Encoding / InvalidG2Encoding.
    uint8 internal constant REASON_LENGTH = 1;
    uint8 internal constant REASON_NOT_COMPRESSED = 2;
    uint8 internal constant REASON_INFINITY = 3;
    uint8 internal constant REASON_X_NOT_IN_FIELD = 4;
    uint8 internal constant REASON_NOT_ON_CURVE = 5;
    uint8 internal constant REASON_POINT_MISMATCH = 6;

    // ------------------------------------------------------------------------------------------------
    // Signatures

    /// @notice Verify(pk, message, signature) of the POP ciphersuite, with `pubkey` a compressed G1 key,
    /// `signature` the compressed G2 signature and `signaturePoint` its uncompressed form.
    /// Reverts on malformed encodings; returns false for a well-formed but wrong signature or a point
    /// outside the subgroup.
    function verifyCompressed(
        bytes memory pubkey,
        bytes memory message,
        bytes memory signature,
        bytes memory signaturePoint
    ) internal view returns (bool) {
        checkG2Matches(signature, signaturePoint);
        return verify(decompressG1(pubkey), hashToG2(message, ETH_DST), signaturePoint);
    }

    /// @notice e(pk, hm) == e(G1, sig) with uncompressed points: one 2-pair PAIRING_CHECK.
    function verify(bytes memory pubkeyPoint, bytes memory messagePoint, bytes memory signaturePoint)
        internal
        view
        returns (bool)
    {
        if (pubkeyPoint.length != 128 || messagePoint.length != 256 || signaturePoint.length != 256) return false;
        bytes memory input = abi.encodePacked(
            pubkeyPoint,
            messagePoint,
            NEG_G1_X_HI,
            NEG_G1_X_LO,
            NEG_G1_Y_HI,
            NEG_G1_Y_LO,
            signaturePoint
        );
        (bool ok, bytes memory out) = PAIRING_CHECK.staticcall{gas: PAIRING2_GAS}(input);
        return ok && out.length == 32 && uint256(bytes32(out)) == 1;
    }

    // ------------------------------------------------------------------------------------------------
    // Hash to G2 (RFC 9380, BLS12381G2_XMD:SHA-256_SSWU_RO_)

    /// @notice hash_to_curve(message) into G2 with the given DST: expand_message_xmd to 256 bytes, four Fp
    /// elements (u0, u1 in Fp2), MAP_FP2_TO_G2 on each (the precompile clears the cofactor, a linear map,
    /// so clear(map(u0)) + clear(map(u1)) = clear(map(u0) + map(u1))), then G2ADD.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory) {
        bytes memory uniform = expandMessageXmd(message, dst, 256);
        bytes memory u0 = new bytes(128);
        bytes memory u1 = new bytes(128);
        _reduce64(uniform, 0, u0, 0);
        _reduce64(uniform, 64, u0, 64);
        _reduce64(uniform, 128, u1, 0);
        _reduce64(uniform, 192, u1, 64);
        bytes memory q0 = _callPrecompile(MAP_FP2_TO_G2, u0, 256, MAP_G2_GAS);
        bytes memory q1 = _callPrecompile(MAP_FP2_TO_G2, u1, 256, MAP_G2_GAS);
        return _callPrecompile(G2ADD, abi.encodePacked(q0, q1), 256, G2ADD_GAS);
    }

    /// @notice expand_message_xmd with SHA-256 (RFC 9380 section 5.3.1); lenInBytes <= 8160, dst <= 255 bytes.
    function expandMessageXmd(bytes memory message, bytes memory dst, uint256 lenInBytes)
        internal
        pure
        returns (bytes memory out)
    {
        uint256 ell = (lenInBytes + 31) / 32;
        if (ell > 255 || dst.length > 255) revert XmdTooLong(lenInBytes, dst.length);
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(lenInBytes), uint8(0), dstPrime));
        bytes32 bi = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        out = new bytes(ell * 32);
        assembly ("memory-safe") {
            mstore(add(out, 32), bi)
        }
        for (uint256 i = 2; i <= ell; i++) {
            bi = sha256(abi.encodePacked(b0 ^ bi, uint8(i), dstPrime));
            assembly ("memory-safe") {
                mstore(add(out, mul(i, 32)), bi)
            }
        }
        assembly ("memory-safe") {
            mstore(out, lenInBytes)
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Points

    /// @notice The uncompressed (128-byte) form of a compressed G1 point. Reverts `InvalidG1Encoding` on a
    /// wrong length, missing compression flag, the identity, x >= p, or x not on the curve. The subgroup is
    /// checked where the point is used (PAIRING_CHECK).
    function decompressG1(bytes memory pubkey) internal view returns (bytes memory point) {
        if (pubkey.length != 48) revert InvalidG1Encoding(pubkey, REASON_LENGTH);
        uint8 flags = uint8(pubkey[0]);
        if (flags & 0x80 == 0) revert InvalidG1Encoding(pubkey, REASON_NOT_COMPRESSED);
        if (flags & 0x40 != 0) revert InvalidG1Encoding(pubkey, REASON_INFINITY);
        uint256 xHi;
        uint256 xLo;
        assembly ("memory-safe") {
            xHi := shr(128, mload(add(pubkey, 32)))
            xLo := mload(add(pubkey, 48))
        }
        xHi &= 0x1fffffffffffffffffffffffffffffff;
        if (!_lessThanP(xHi, xLo)) revert InvalidG1Encoding(pubkey, REASON_X_NOT_IN_FIELD);
        bytes memory x48 = abi.encodePacked(uint128(xHi), xLo);
        // rhs = x^3 + 4 mod p
        bytes memory x3 = _modexp(x48, hex"03");
        (uint256 rHi, uint256 rLo) = _words48(x3);
        (rHi, rLo) = _add(rHi, rLo, 0, 4);
        if (!_lessThanP(rHi, rLo)) (rHi, rLo) = _sub(rHi, rLo, P_HI, P_LO);
        bytes memory rhs = abi.encodePacked(uint128(rHi), rLo);
        bytes memory y48 = _modexp(rhs, SQRT_EXP);
        if (keccak256(_modexp(y48, hex"02")) != keccak256(rhs)) revert InvalidG1Encoding(pubkey, REASON_NOT_ON_CURVE);
        (uint256 yHi, uint256 yLo) = _words48(y48);
        bool wantLargest = flags & 0x20 != 0;
        if (_isLargest(yHi, yLo) != wantLargest && (yHi | yLo) != 0) (yHi, yLo) = _sub(P_HI, P_LO, yHi, yLo);
        point = abi.encodePacked(xHi, xLo, yHi, yLo);
    }

    /// @notice True if the n compressed public shares (48 bytes each, share i at x = i) lie on one
    /// polynomial of degree < t whose value at 0 is `pubkey`: the shares t+1..n and the key must equal the
    /// Lagrange interpolation of shares 1..t. Checked at once with a random linear combination (the
    /// coefficients from keccak256 of all points, fixed after them) and one G1 MSM (EIP-2537, which also
    /// checks every point is in the subgroup): sum_j r_j (P_j - sum_i L_i(j) P_i) must be the identity.
    /// Reverts `InvalidG1Encoding` on a point that doesn't decode.
    function sharesInterpolate(bytes memory pubkey, bytes memory shares, uint256 t) internal view returns (bool) {
        uint256 n = shares.length / 48;
        if (t == 0 || t > n || shares.length != n * 48) return false;
        bytes32 h = keccak256(abi.encode("diva-public-shares-rlc", pubkey, shares));
        uint256[] memory invDenominators = _lagrangeDenominatorInverses(t);
        // scalars[0]: the key; scalars[i]: share i.
        uint256[] memory scalars = new uint256[](n + 1);
        for (uint256 j = 0; j <= n; j = j == 0 ? t + 1 : j + 1) {
            uint256 r = uint256(keccak256(abi.encode(h, j))) % Q;
            scalars[j] = addmod(scalars[j], r, Q);
            for (uint256 i = 1; i <= t; ++i) {
                // L_i(j) = prod_{k != i} (j - k) / (i - k)
                uint256 numerator = 1;
                for (uint256 k = 1; k <= t; ++k) {
                    if (k != i) numerator = mulmod(numerator, j >= k ? j - k : Q - (k - j), Q);
                }
                uint256 weight = mulmod(r, mulmod(numerator, invDenominators[i], Q), Q);
                scalars[i] = addmod(scalars[i], Q - weight, Q);
            }
        }
        bytes memory input = new bytes((n + 1) * 160);
        _msmTerm(input, 0, decompressG1(pubkey), scalars[0]);
        for (uint256 i = 1; i <= n; ++i) {
            bytes memory share = new bytes(48);
            for (uint256 b = 0; b < 48; ++b) share[b] = shares[(i - 1) * 48 + b];
            _msmTerm(input, i, decompressG1(share), scalars[i]);
        }
        (bool ok, bytes memory out) = G1MSM.staticcall(input);
        if (!ok || out.length != 128) return false;
        for (uint256 w = 0; w < 4; ++w) {
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(add(out, 32), mul(w, 32)))
            }
            if (word != 0) return false;
        }
        return true;
    }

    /// 1 / prod_{k != i, 1 <= k <= t} (i - k) mod Q for i = 1..t (one modular inversion for all).
    function _lagrangeDenominatorInverses(uint256 t) private view returns (uint256[] memory inv) {
        uint256[] memory d = new uint256[](t + 1);
        uint256 product = 1;
        for (uint256 i = 1; i <= t; ++i) {
            uint256 di = 1;
            for (uint256 k = 1; k <= t; ++k) {
                if (k != i) di = mulmod(di, i >= k ? i - k : Q - (k - i), Q);
            }
            d[i] = di;
            product = mulmod(product, di, Q);
        }
        (bool ok, bytes memory ret) =
            MODEXP.staticcall(abi.encodePacked(uint256(32), uint256(32), uint256(32), product, Q - 2, Q));
        if (!ok || ret.length != 32) revert PrecompileFailed(MODEXP);
        uint256 invProduct = abi.decode(ret, (uint256));
        inv = new uint256[](t + 1);
        for (uint256 i = 1; i <= t; ++i) {
            uint256 others = invProduct;
            for (uint256 k = 1; k <= t; ++k) {
                if (k != i) others = mulmod(others, d[k], Q);
            }
            inv[i] = others;
        }
    }

    function _msmTerm(bytes memory input, uint256 position, bytes memory point, uint256 scalar) private pure {
        uint256 offset = position * 160;
        for (uint256 b = 0; b < 128; ++b) input[offset + b] = point[b];
        assembly ("memory-safe") {
            mstore(add(add(input, 32), add(offset, 128)), scalar)
        }
    }

    /// @notice Checks that `point` (256-byte uncompressed G2) is the point that `signature` (96-byte compressed
    /// G2) encodes: flags valid and not the identity, equal x, and y's sign as flagged. Reverts
    /// `InvalidG2Encoding` otherwise. Curve and subgroup membership are checked by PAIRING_CHECK.
    function checkG2Matches(bytes memory signature, bytes memory point) internal pure {
        if (signature.length != 96 || point.length != 256) revert InvalidG2Encoding(signature, REASON_LENGTH);
        uint8 flags = uint8(signature[0]);
        if (flags & 0x80 == 0) revert InvalidG2Encoding(signature, REASON_NOT_COMPRESSED);
        if (flags & 0x40 != 0) revert InvalidG2Encoding(signature, REASON_INFINITY);
        uint256 x1Hi;
        uint256 x1Lo;
        uint256 x0Hi;
        uint256 x0Lo;
        uint256[8] memory w;
        assembly ("memory-safe") {
            x1Hi := shr(128, mload(add(signature, 32)))
            x1Lo := mload(add(signature, 48))
            x0Hi := shr(128, mload(add(signature, 80)))
            x0Lo := mload(add(signature, 96))
            for { let i := 0 } lt(i, 8) { i := add(i, 1) } {
                mstore(add(w, mul(i, 32)), mload(add(point, add(32, mul(i, 32)))))
            }
        }
        x1Hi &= 0x1fffffffffffffffffffffffffffffff;
        if (!_lessThanP(x1Hi, x1Lo) || !_lessThanP(x0Hi, x0Lo)) {
            revert InvalidG2Encoding(signature, REASON_X_NOT_IN_FIELD);
        }
        // point: x.c0 (w0, w1), x.c1 (w2, w3), y.c0 (w4, w5), y.c1 (w6, w7)
        if (w[0] != x0Hi || w[1] != x0Lo || w[2] != x1Hi || w[3] != x1Lo) {
            revert InvalidG2Encoding(signature, REASON_POINT_MISMATCH);
        }
        bool largest = (w[6] | w[7]) != 0 ? _isLargest(w[6], w[7]) : _isLargest(w[4], w[5]);
        if (largest != (flags & 0x20 != 0)) revert InvalidG2Encoding(signature, REASON_POINT_MISMATCH);
    }

    // ------------------------------------------------------------------------------------------------
    // Fp helpers on (hi: top 128 bits, lo: low 256 bits)

    function _lessThanP(uint256 hi, uint256 lo) private pure returns (bool) {
        return hi < P_HI || (hi == P_HI && lo < P_LO);
    }

    function _isLargest(uint256 hi, uint256 lo) private pure returns (bool) {
        return hi > HALF_HI || (hi == HALF_HI && lo > HALF_LO);
    }

    function _add(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo) private pure returns (uint256, uint256) {
        unchecked {
            uint256 lo = aLo + bLo;
            return (aHi + bHi + (lo < aLo ? 1 : 0), lo);
        }
    }

    /// @dev a - b for a >= b.
    function _sub(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo) private pure returns (uint256, uint256) {
        unchecked {
            return (aHi - bHi - (aLo < bLo ? 1 : 0), aLo - bLo);
        }
    }

    function _words48(bytes memory b) private pure returns (uint256 hi, uint256 lo) {
        assembly ("memory-safe") {
            hi := shr(128, mload(add(b, 32)))
            lo := mload(add(b, 48))
        }
    }

    /// @dev base^exponent mod p for a 48-byte base, with the MODEXP precompile (EIP-198).
    function _modexp(bytes memory base48, bytes memory exponent) private view returns (bytes memory) {
        return _callPrecompile(
            MODEXP,
            abi.encodePacked(uint256(48), uint256(exponent.length), uint256(48), base48, exponent, uint128(P_HI), P_LO),
            48,
            MODEXP_GAS
        );
    }

    /// @dev Reduces the 64-byte big-endian integer at src[srcOffset..] mod p into dst[dstOffset..] as a
    /// 64-byte Fp encoding (hash_to_field's OS2IP(tv) mod p).
    function _reduce64(bytes memory src, uint256 srcOffset, bytes memory dst, uint256 dstOffset) private view {
        bytes memory input = new bytes(96 + 64 + 1 + 48);
        bool ok;
        assembly ("memory-safe") {
            let p := add(input, 32)
            mstore(p, 64)
            mstore(add(p, 32), 1)
            mstore(add(p, 64), 48)
            mstore(add(p, 96), mload(add(add(src, 32), srcOffset)))
            mstore(add(p, 128), mload(add(add(src, 64), srcOffset)))
            mstore8(add(p, 160), 1)
            mstore(add(p, 161), shl(128, P_HI))
            mstore(add(p, 177), P_LO)
            let d := add(add(dst, 32), dstOffset)
            mstore(d, 0)
            ok := staticcall(MODEXP_GAS, 0x05, p, 209, add(d, 16), 48)
        }
        if (!ok) revert PrecompileFailed(MODEXP);
    }

    function _callPrecompile(address precompile, bytes memory input, uint256 outLength, uint256 gasLimit)
        private
        view
        returns (bytes memory out)
    {
        (bool ok, bytes memory ret) = precompile.staticcall{gas: gasLimit}(input);
        if (!ok || ret.length != outLength) revert PrecompileFailed(precompile);
        return ret;
    }
}
