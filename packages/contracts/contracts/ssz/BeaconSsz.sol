// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title BeaconSsz: SSZ hash tree roots of the beacon chain containers the contracts check, with SHA-256.
/// @notice Follows the consensus specification (phase0 containers, `compute_domain`, `compute_signing_root`,
/// `is_valid_merkle_branch` with generalized indices). Every uint64 is SSZ little-endian in its 32-byte chunk.
library BeaconSsz {
    /// Domain types (phase0).
    bytes4 internal constant DOMAIN_BEACON_PROPOSER = 0x00000000;
    bytes4 internal constant DOMAIN_BEACON_ATTESTER = 0x01000000;
    bytes4 internal constant DOMAIN_DEPOSIT = 0x03000000;

    struct Checkpoint {
        uint64 epoch;
        bytes32 root;
    }

    struct AttestationData {
        uint64 slot;
        uint64 index;
        bytes32 beaconBlockRoot;
        Checkpoint source;
        Checkpoint target;
    }

    struct BeaconBlockHeader {
        uint64 slot;
        uint64 proposerIndex;
        bytes32 parentRoot;
        bytes32 stateRoot;
        bytes32 bodyRoot;
    }

    /// The phase0 `Validator` container (unchanged through Electra).
    struct Validator {
        bytes pubkey; // 48 bytes
        bytes32 withdrawalCredentials;
        uint64 effectiveBalance;
        bool slashed;
        uint64 activationEligibilityEpoch;
        uint64 activationEpoch;
        uint64 exitEpoch;
        uint64 withdrawableEpoch;
    }

    error BadLength(uint256 length, uint256 expected);

    function hash(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(a, b));
    }

    /// @notice uint64 in its SSZ chunk: 8 little-endian bytes, then zeros.
    function toChunk(uint64 value) internal pure returns (bytes32) {
        uint64 v = value;
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | (v << 32);
        return bytes32(bytes8(v));
    }

    /// @notice hash_tree_root of a Bytes48 (BLS public key): two chunks.
    function pubkeyRoot(bytes memory pubkey) internal pure returns (bytes32) {
        if (pubkey.length != 48) revert BadLength(pubkey.length, 48);
        return sha256(abi.encodePacked(pubkey, bytes16(0)));
    }

    /// @notice hash_tree_root of a Bytes96 (BLS signature): three chunks padded to four.
    function signatureRoot(bytes memory signature) internal pure returns (bytes32) {
        if (signature.length != 96) revert BadLength(signature.length, 96);
        bytes32 a;
        bytes32 b;
        bytes32 c;
        assembly ("memory-safe") {
            a := mload(add(signature, 32))
            b := mload(add(signature, 64))
            c := mload(add(signature, 96))
        }
        return hash(hash(a, b), hash(c, bytes32(0)));
    }

    /// @notice hash_tree_root(DepositMessage{pubkey, withdrawal_credentials, amount (Gwei)}).
    function depositMessageRoot(bytes memory pubkey, bytes32 withdrawalCredentials, uint64 amountGwei)
        internal
        pure
        returns (bytes32)
    {
        return hash(hash(pubkeyRoot(pubkey), withdrawalCredentials), hash(toChunk(amountGwei), bytes32(0)));
    }

    /// @notice hash_tree_root(DepositData{pubkey, withdrawal_credentials, amount (Gwei), signature}).
    function depositDataRoot(
        bytes memory pubkey,
        bytes32 withdrawalCredentials,
        uint64 amountGwei,
        bytes memory signature
    ) internal pure returns (bytes32) {
        return hash(
            hash(pubkeyRoot(pubkey), withdrawalCredentials), hash(toChunk(amountGwei), signatureRoot(signature))
        );
    }

    /// @notice compute_domain(domain_type, fork_version, genesis_validators_root).
    function computeDomain(bytes4 domainType, bytes4 forkVersion, bytes32 genesisValidatorsRoot)
        internal
        pure
        returns (bytes32)
    {
        // fork_data_root = hash_tree_root(ForkData{current_version: Bytes4, genesis_validators_root})
        bytes32 forkDataRoot = hash(bytes32(forkVersion), genesisValidatorsRoot);
        return bytes32(domainType) | (forkDataRoot >> 32);
    }

    /// @notice compute_signing_root(object_root, domain) = hash_tree_root(SigningData{object_root, domain}).
    function signingRoot(bytes32 objectRoot, bytes32 domain) internal pure returns (bytes32) {
        return hash(objectRoot, domain);
    }

    function checkpointRoot(Checkpoint memory c) internal pure returns (bytes32) {
        return hash(toChunk(c.epoch), c.root);
    }

    function attestationDataRoot(AttestationData memory d) internal pure returns (bytes32) {
        return hash(
            hash(hash(toChunk(d.slot), toChunk(d.index)), hash(d.beaconBlockRoot, checkpointRoot(d.source))),
            hash(hash(checkpointRoot(d.target), bytes32(0)), hash(bytes32(0), bytes32(0)))
        );
    }

    function beaconBlockHeaderRoot(BeaconBlockHeader memory h) internal pure returns (bytes32) {
        return hash(
            hash(hash(toChunk(h.slot), toChunk(h.proposerIndex)), hash(h.parentRoot, h.stateRoot)),
            hash(hash(h.bodyRoot, bytes32(0)), hash(bytes32(0), bytes32(0)))
        );
    }

    function validatorRoot(Validator memory v) internal pure returns (bytes32) {
        return hash(
            hash(
                hash(pubkeyRoot(v.pubkey), v.withdrawalCredentials),
                hash(toChunk(v.effectiveBalance), v.slashed ? bytes32(bytes1(0x01)) : bytes32(0))
            ),
            hash(
                hash(toChunk(v.activationEligibilityEpoch), toChunk(v.activationEpoch)),
                hash(toChunk(v.exitEpoch), toChunk(v.withdrawableEpoch))
            )
        );
    }

    /// @notice is_valid_merkle_branch for a generalized index: `leaf` sits at `gindex` under `root`,
    /// `branch` lists the siblings from the leaf up (its length is the depth, floor(log2(gindex))).
    function verifyBranch(bytes32 leaf, bytes32[] memory branch, uint256 gindex, bytes32 root)
        internal
        pure
        returns (bool)
    {
        if (gindex >> branch.length != 1) return false;
        bytes32 node = leaf;
        uint256 g = gindex;
        for (uint256 i = 0; i < branch.length; i++) {
            node = g & 1 == 1 ? hash(branch[i], node) : hash(node, branch[i]);
            g >>= 1;
        }
        return node == root;
    }
}
