// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BLS12381} from "./BLS12381.sol";
import {BeaconSsz} from "../ssz/BeaconSsz.sol";

/// @title BLS12381Harness: exposes the BLS12381 and BeaconSsz libraries for tests and gas measurement.
/// Not part of the protocol; deploy it only to check the libraries.
contract BLS12381Harness {
    function hashToG2(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return BLS12381.hashToG2(message, dst);
    }

    function expandMessageXmd(bytes calldata message, bytes calldata dst, uint256 lenInBytes)
        external
        pure
        returns (bytes memory)
    {
        return BLS12381.expandMessageXmd(message, dst, lenInBytes);
    }

    function decompressG1(bytes calldata pubkey) external view returns (bytes memory) {
        return BLS12381.decompressG1(pubkey);
    }

    function checkG2Matches(bytes calldata signature, bytes calldata point) external pure {
        BLS12381.checkG2Matches(signature, point);
    }

    function verify(bytes calldata pubkey, bytes calldata message, bytes calldata signature, bytes calldata point)
        external
        view
        returns (bool)
    {
        return BLS12381.verifyCompressed(pubkey, message, signature, point);
    }

    error SignatureInvalid();

    /// Reverts unless the signature verifies: for gas estimation, where a `false` from a precompile starved of
    /// gas would otherwise pass as success (callers must treat `false` as failure and revert, as ours do).
    function verifyOrRevert(bytes calldata pubkey, bytes calldata message, bytes calldata signature, bytes calldata point)
        external
        view
    {
        if (!BLS12381.verifyCompressed(pubkey, message, signature, point)) revert SignatureInvalid();
    }

    function depositDataRoot(bytes calldata pubkey, bytes32 wc, uint64 amountGwei, bytes calldata signature)
        external
        pure
        returns (bytes32)
    {
        return BeaconSsz.depositDataRoot(pubkey, wc, amountGwei, signature);
    }

    function depositMessageRoot(bytes calldata pubkey, bytes32 wc, uint64 amountGwei) external pure returns (bytes32) {
        return BeaconSsz.depositMessageRoot(pubkey, wc, amountGwei);
    }

    function computeDomain(bytes4 domainType, bytes4 forkVersion, bytes32 gvr) external pure returns (bytes32) {
        return BeaconSsz.computeDomain(domainType, forkVersion, gvr);
    }

    function attestationDataRoot(BeaconSsz.AttestationData calldata d) external pure returns (bytes32) {
        return BeaconSsz.attestationDataRoot(d);
    }

    function beaconBlockHeaderRoot(BeaconSsz.BeaconBlockHeader calldata h) external pure returns (bytes32) {
        return BeaconSsz.beaconBlockHeaderRoot(h);
    }

    function validatorRoot(BeaconSsz.Validator calldata v) external pure returns (bytes32) {
        return BeaconSsz.validatorRoot(v);
    }

    function verifyBranch(bytes32 leaf, bytes32[] calldata branch, uint256 gindex, bytes32 root)
        external
        pure
        returns (bool)
    {
        return BeaconSsz.verifyBranch(leaf, branch, gindex, root);
    }
}
