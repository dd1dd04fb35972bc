// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IAccounting
interface IAccounting {
    /// @notice Cumulative count of validators the quorum reports as fully withdrawn.
    function exitedValidators() external view returns (uint256);

    /// @notice The last accepted report: the start of its reference epoch (seconds) and divETH's pooled ETH
    /// and total shares right after it (0, 0 before the first report). Withdrawal requests made before
    /// that time are finalized at no more than this rate.
    function lastReport() external view returns (uint256 referenceTime, uint256 pooledEther, uint256 totalShares);

    /// @notice Checks that `signatures` over `digest` come from a report quorum: active operators holding at
    /// least ceil(2/3) of the active seats, or of the latest reporting committee's sampled seats when there are
    /// more than K (weight = seats, never head count), in ascending signer order. Reverts with the report's errors
    /// (`NoActiveOperators`, `QuorumNotReached`, `SignersNotSorted`, `NotActiveOperator`); returns the count.
    function verifyQuorum(bytes32 digest, bytes[] calldata signatures) external view returns (uint256);
}
