// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IExitRequests
/// @notice What the withdrawal queue calls on the exits contract (ExitRequests): it emits the exit request
/// the committee signs a voluntary exit for, and lets anyone trigger the exit through EIP-7002 afterwards.
interface IExitRequests {
    /// @notice Asks the committee of `drawId` to exit its validator. Only wired requesters.
    function requestExit(uint256 drawId, uint8 reason) external;
}
