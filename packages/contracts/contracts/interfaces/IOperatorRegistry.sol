// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IOperatorRegistry
/// @notice Permissionless operator registry: identity address (secp256k1, also the p2p identity),
/// X25519 encryption key for DKG shares, p2p addresses, and divETH collateral (1 divETH per key
/// share). What the evidence, DKG-result and exit contracts need.
interface IOperatorRegistry {
    struct OperatorView {
        bool registered;
        bool ejected;
        bytes32 encryptionKey; // X25519 public key
        uint256 collateralShares; // divETH internal shares locked as collateral
        uint256 collateralEther; // their current value in ETH (divETH units)
        uint256 keyShares; // key shares held (one per committee seat)
        uint256 capacity; // free seats: floor(collateralEther / 1 divETH) - keyShares, as last recorded
    }

    /// @notice Everything about one operator (`registered == false` for unknown addresses).
    function operatorOf(address operator) external view returns (OperatorView memory);

    /// @notice Key shares (committee seats) the operator holds.
    function keySharesOf(address operator) external view returns (uint256);

    /// @notice Registered and not ejected.
    function isActiveOperator(address operator) external view returns (bool);

    /// @notice Takes up to `amountEther` (valued in ETH) of the operator's collateral; `reporterBps`
    /// of what was taken goes to `reporter` (in divETH), the rest is burned (stakers gain).
    /// Only the slashers wired in (evidence, accounting). Returns the ETH value taken.
    function slash(address operator, uint256 amountEther, address reporter, uint256 reporterBps)
        external
        returns (uint256 takenEther);

    /// @notice Ejects the operator: it leaves the draw, keeps its seats until each committee reshares
    /// (CommitteeDraw.drawReplacement), and may withdraw what is left of its collateral when it holds
    /// no seat. Only the slashers wired in. Idempotent.
    function eject(address operator) external;
}
