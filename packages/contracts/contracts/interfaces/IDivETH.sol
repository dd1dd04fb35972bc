// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IDivETH
/// @notice The staking pool and its rebasing token. The parts other Diva contracts call.
interface IDivETH is IERC20 {
    function sharesOf(address account) external view returns (uint256);

    function totalShares() external view returns (uint256);

    function totalPooledEther() external view returns (uint256);

    function getSharesByPooledEth(uint256 ethAmount) external view returns (uint256);

    function getPooledEthByShares(uint256 sharesAmount) external view returns (uint256);

    function transferShares(address to, uint256 sharesAmount) external returns (uint256 ethAmount);

    function transferSharesFrom(address from, address to, uint256 sharesAmount) external returns (uint256 ethAmount);

    /// @notice ETH held by the pool and not yet sent to the deposit contract or the withdrawal queue.
    function bufferedEther() external view returns (uint256);

    /// @notice Sends `amount` of buffered ETH to the caller (the DKG-result contract), which deposits
    /// it to the beacon deposit contract for the validator of `drawId`. The ETH stays pooled (it is
    /// counted as in transit until a report includes it). Only the wired DKG-result contract; the
    /// draw must be Approved and at most 32 ETH per draw can be taken in total.
    function fundDeposit(uint256 drawId, uint256 amount) external;

    /// @notice Withdrawal credentials every validator of the pool uses:
    /// 0x01 ‖ 11 zero bytes ‖ address(this). Exits and skimmed rewards come back here.
    function withdrawalCredentials() external view returns (bytes32);
}
