// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title ExecutionRewardsVault: the fee recipient of every pool validator
/// @notice Priority fees and MEV payments of pool validators arrive here (the runtime's proposals and its
/// verifying signer enforce this address as the fee recipient). Nothing here is income until a report
/// states the vault's balance at its reference epoch: divETH, which deployed this vault, then pulls that
/// much (within the report's bounds). No one else can move the ETH, and there is no admin.
contract ExecutionRewardsVault {
    address public immutable DIV_ETH;

    error Unauthorized(address caller);
    error EtherTransferFailed(address to, uint256 amount);

    constructor() {
        DIV_ETH = msg.sender;
    }

    receive() external payable {}

    /// @notice Sends `amount` to divETH. Only divETH, at a report.
    function withdrawRewards(uint256 amount) external {
        if (msg.sender != DIV_ETH) revert Unauthorized(msg.sender);
        (bool ok,) = DIV_ETH.call{value: amount}("");
        if (!ok) revert EtherTransferFailed(DIV_ETH, amount);
    }
}
