// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title The beacon chain deposit interface (phase0 `IDepositContract`), as emitted to consensus clients.
interface IDepositContract {
    /// @notice One deposit; every field is little-endian or raw bytes exactly as the specification's
    /// deposit contract emits them (amount and index are 8-byte little-endian).
    event DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index);

    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable;

    function get_deposit_root() external view returns (bytes32);

    function get_deposit_count() external view returns (bytes memory);
}

/// @title DepositContract: a beacon chain deposit contract for local networks.
/// @notice Written from the consensus specification (phase0 `deposit-contract.md`): an incremental Merkle
/// tree of depth 32 over the `hash_tree_root` of each `DepositData`, whose root with the deposit count mixed
/// in equals `hash_tree_root(List[DepositData, 2**32])`. SHA-256 throughout. Reverts carry custom errors
/// with the offending values instead of the reference contract's strings.
contract DepositContract is IDepositContract {
    uint256 internal constant TREE_DEPTH = 32;
    uint256 internal constant MAX_DEPOSIT_COUNT = 2 ** TREE_DEPTH - 1;
    uint256 internal constant MIN_DEPOSIT_GWEI = 1 ether / 1 gwei;

    error PubkeyLength(uint256 length);
    error WithdrawalCredentialsLength(uint256 length);
    error SignatureLength(uint256 length);
    error DepositTooSmall(uint256 valueWei);
    error DepositNotGweiMultiple(uint256 valueWei);
    error DepositTooLarge(uint256 valueWei);
    error DepositDataRootMismatch(bytes32 given, bytes32 computed);
    error TreeFull();

    /// @dev branch[h] holds the left sibling at height h that the next deposit at that height pairs with.
    bytes32[TREE_DEPTH] internal branch;
    /// @dev zeroHashes[h] is the root of an all-zero subtree of height h.
    bytes32[TREE_DEPTH] internal zeroHashes;
    uint256 internal depositCount;

    constructor() {
        for (uint256 h = 0; h < TREE_DEPTH - 1; h++) {
            zeroHashes[h + 1] = sha256(abi.encodePacked(zeroHashes[h], zeroHashes[h]));
        }
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 /* ERC-165 */ || interfaceId == type(IDepositContract).interfaceId;
    }

    function get_deposit_root() external view override returns (bytes32) {
        bytes32 node;
        uint256 size = depositCount;
        for (uint256 h = 0; h < TREE_DEPTH; h++) {
            if (size & 1 == 1) node = sha256(abi.encodePacked(branch[h], node));
            else node = sha256(abi.encodePacked(node, zeroHashes[h]));
            size >>= 1;
        }
        return sha256(abi.encodePacked(node, _littleEndian64(uint64(depositCount)), bytes24(0)));
    }

    function get_deposit_count() external view override returns (bytes memory) {
        return abi.encodePacked(_littleEndian64(uint64(depositCount)));
    }

    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable override {
        if (pubkey.length != 48) revert PubkeyLength(pubkey.length);
        if (withdrawal_credentials.length != 32) revert WithdrawalCredentialsLength(withdrawal_credentials.length);
        if (signature.length != 96) revert SignatureLength(signature.length);
        if (msg.value < 1 ether) revert DepositTooSmall(msg.value);
        if (msg.value % 1 gwei != 0) revert DepositNotGweiMultiple(msg.value);
        uint256 amountGwei = msg.value / 1 gwei;
        if (amountGwei > type(uint64).max) revert DepositTooLarge(msg.value);
        uint256 index = depositCount;
        if (index >= MAX_DEPOSIT_COUNT) revert TreeFull();

        bytes8 amount = _littleEndian64(uint64(amountGwei));
        emit DepositEvent(pubkey, withdrawal_credentials, abi.encodePacked(amount), signature,
            abi.encodePacked(_littleEndian64(uint64(index))));

        // hash_tree_root(DepositData{pubkey: Bytes48, withdrawal_credentials: Bytes32, amount: uint64,
        // signature: Bytes96}): four leaves, each Bytes field merkleized from its 32-byte chunks.
        bytes32 pubkeyRoot = sha256(abi.encodePacked(pubkey, bytes16(0)));
        bytes32 signatureRoot = sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(signature[:64])),
                sha256(abi.encodePacked(signature[64:], bytes32(0)))
            )
        );
        bytes32 node = sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(pubkeyRoot, withdrawal_credentials)),
                sha256(abi.encodePacked(amount, bytes24(0), signatureRoot))
            )
        );
        if (node != deposit_data_root) revert DepositDataRootMismatch(deposit_data_root, node);

        // Insert the leaf: climb while the subtree at height h is complete, storing the first incomplete one.
        uint256 size = index + 1;
        depositCount = size;
        for (uint256 h = 0; h < TREE_DEPTH; h++) {
            if (size & 1 == 1) {
                branch[h] = node;
                return;
            }
            node = sha256(abi.encodePacked(branch[h], node));
            size >>= 1;
        }
        // Unreachable: size < 2**32 always has a set bit below TREE_DEPTH.
        assert(false);
    }

    /// @dev uint64 to its 8-byte little-endian encoding.
    function _littleEndian64(uint64 value) internal pure returns (bytes8) {
        uint64 v = value;
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | (v << 32);
        return bytes8(v);
    }
}
