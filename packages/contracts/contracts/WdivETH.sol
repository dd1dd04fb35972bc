// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @title wdivETH: non-rebasing ERC-4626 vault over divETH
/// @notice One wdivETH is a fixed claim on the vault's divETH, whose balance rebases: the exchange rate
/// (convertToAssets) follows the pool. OpenZeppelin's ERC-4626 (virtual shares and assets against
/// the donation attack, rounding in the vault's favour); EIP-2612 permit on wdivETH.
contract WdivETH is ERC4626, ERC20Permit {
    constructor(IERC20 divEth) ERC20("Wrapped Diva staked ETH", "wdivETH") ERC4626(divEth) ERC20Permit("wdivETH") {}

    function decimals() public view override(ERC20, ERC4626) returns (uint8) {
        return super.decimals();
    }
}
