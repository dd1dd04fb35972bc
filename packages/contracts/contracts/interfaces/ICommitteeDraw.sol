// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title ICommitteeDraw
/// @notice Committees of `committeeSize` operators drawn per 32 ETH, weighted by free capacity.
/// A draw id names one validator-to-be and its committee (seat i holds share index i + 1).
interface ICommitteeDraw {
    enum DrawStatus {
        None,
        Requested, // waiting for its target block
        Drawn, // committee chosen, seats reserved, DKG under way
        Approved, // DKG result accepted on chain (DkgResult), the validator is funded
        Expired, // no result in time: seats released, may be redrawn
        Exited, // exit requested
        Abandoned, // approved, but its remaining ETH was not confirmed in time: seats and the rest released
        Cancelled // a request whose target block left the history window: its reservation released
    }

    /// @notice Committee of a draw, in share-index order (index 0 holds share 1).
    function committeeOf(uint256 drawId) external view returns (address[] memory);

    function statusOf(uint256 drawId) external view returns (DrawStatus);

    /// @notice Committees drawn for `drawId` so far: a redraw and a replaced blocker each start a new
    /// round (and so a new DKG ceremony id).
    function roundOf(uint256 drawId) external view returns (uint256);

    /// @notice Replaces `blocker`, named by t members as having blocked the committee's DKG, before any
    /// result: its seat goes to one operator drawn by free capacity, and the committee starts a new round.
    /// Only the wired DKG-result contract.
    function replaceBlocker(uint256 drawId, address blocker) external returns (address replacement);

    /// @notice Committee size n and threshold t = floor(2n/3) + 1.
    function committeeSize() external view returns (uint256);

    function threshold() external view returns (uint256);

    /// @notice Called by the DKG-result contract when the committee's result is accepted:
    /// the draw can no longer expire. Only the wired DKG-result contract.
    function markApproved(uint256 drawId) external;

    /// @notice Called when the validator's exit is requested (shortfall, ejection). Only the wired
    /// exits or withdrawal-queue contract.
    function markExited(uint256 drawId) external;

    /// @notice Replaces `ejected` in the committee of `drawId` with one operator drawn by free
    /// capacity (not already in the committee), reserving its seat and releasing the ejected one's.
    /// Emits ReplacementDrawn(drawId, ejected, replacement, shareIndex). Only the wired slashers
    /// (evidence, accounting).
    function drawReplacement(uint256 drawId, address ejected) external returns (address replacement);

    /// @notice A member of an approved draw's committee (not ejected) whose key share is lost or unusable
    /// asks for a new one: emits ReshareRequested(drawId, committee, its share index, itself) with the
    /// committee unchanged, so the members reshare the same key to the same seats (the caller receives
    /// only) and `recordReshare` records the new generation. At most one request per draw per
    /// REGENERATION_COOLDOWN_BLOCKS (`RegenerationCooldown`).
    function requestShareRegeneration(uint256 drawId) external;
}
