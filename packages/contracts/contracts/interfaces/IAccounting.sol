// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IAccounting
interface IAccounting {
    /// @notice Cumulative count of validators the quorum reports as fully withdrawn.
    function exitedValidators() external view returns (uint256);
}
