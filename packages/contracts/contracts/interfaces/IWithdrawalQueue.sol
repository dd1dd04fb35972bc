// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IWithdrawalQueue
interface IWithdrawalQueue {
    /// @notice ETH owed to requests not yet finalized (at their request-time value).
    function unfinalizedEther() external view returns (uint256);
}
