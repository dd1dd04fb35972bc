// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

interface IDivETHDeposit {
    function deposit() external payable returns (uint256 sharesAmount);
}

/// @title wdivETH: non-rebasing ERC-4626 vault over divETH
/// @notice One wdivETH is a fixed claim on the vault's divETH, whose balance rebases: the exchange rate
/// (convertToAssets) follows the pool. OpenZeppelin's ERC-4626 (rounding in the vault's favour); EIP-2612
/// permit on wdivETH. Against the first-depositor donation attack, as OpenZeppelin recommends: a
/// decimals offset of DECIMALS_OFFSET (10^6 virtual shares per virtual asset unit, so inflating the
/// rate costs the attacker a million times what it takes from a victim) and a seed deposit at
/// deployment (the ETH sent with the constructor, staked into divETH, its wdivETH minted to 0x…dEaD
/// forever), so the vault is never empty and a donation mostly accrues to the seed.
contract WdivETH is ERC4626, ERC20Permit {
    uint8 public constant DECIMALS_OFFSET = 6;
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;

    error NoSeedDeposit();

    constructor(IERC20 divEth)
        payable
        ERC20("Wrapped Diva staked ETH", "wdivETH")
        ERC4626(divEth)
        ERC20Permit("wdivETH")
    {
        if (msg.value == 0) revert NoSeedDeposit();
        // The vault is empty here: its rate is 10^offset shares per asset unit.
        uint256 before = divEth.balanceOf(address(this));
        IDivETHDeposit(address(divEth)).deposit{value: msg.value}();
        uint256 assets = divEth.balanceOf(address(this)) - before;
        if (assets == 0) revert NoSeedDeposit();
        _mint(DEAD, assets * 10 ** DECIMALS_OFFSET);
    }

    function decimals() public view override(ERC20, ERC4626) returns (uint8) {
        return super.decimals();
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }
}
