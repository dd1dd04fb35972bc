// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title IDivETH
/// @notice The staking pool and its rebasing token. The parts other Diva contracts call.
interface IDivETH is IERC20, IERC20Permit {
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

    /// @notice Buffered ETH neither reserved for drawn validators nor owed to withdrawal requests.
    function availableForDraws() external view returns (uint256);

    /// @notice Buffered ETH not reserved for drawn validators.
    function availableForWithdrawals() external view returns (uint256);

    function getSharesByPooledEthRoundUp(uint256 ethAmount) external view returns (uint256);

    function reserveForDraw(uint256 drawId) external;

    function releaseDraw(uint256 drawId) external;

    /// @notice ETH of a draw's reservation already sent to the deposit contract (32 ETH: fully funded).
    function fundedEther(uint256 drawId) external view returns (uint256);

    function fundWithdrawals(uint256 etherAmount, uint256 sharesAmount) external;

    function burnShares(uint256 sharesAmount) external;

    function applyReport(
        uint256 newClBalance,
        uint256 newClDepositedEther,
        uint256 withdrawnEther,
        uint256 elRewards,
        uint256 feeBps,
        address feeRecipient,
        uint256 maxReceived
    ) external returns (uint256 preTotal, uint256 postTotal, uint256 feeShares);

    function clBalance() external view returns (uint256);

    /// @notice Cumulative ETH withdrawn from the beacon chain to divETH that reports have counted.
    function countedWithdrawals() external view returns (uint256);

    function clDepositedEther() external view returns (uint256);

    /// @notice EIP-7002 withdrawal request through the credentials' owner (this contract). Only the
    /// wired exits contract; `msg.value` is the predeploy fee.
    function addWithdrawalRequest(bytes calldata pubkey, uint64 amountGwei) external payable;
}
