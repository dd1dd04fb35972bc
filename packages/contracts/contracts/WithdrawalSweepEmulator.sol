// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title WithdrawalSweepEmulator: the beacon chain's withdrawal sweep, played by hand on a devnet
/// @notice For devnets whose beacon chain runs a fork without withdrawals (altair: Lodestar 1.5.1, the
/// one that installs where the project is tested). From Capella on, the beacon chain itself pays an
/// exited validator's balance to its withdrawal credentials' address, and the payload's withdrawals
/// record it; before it, nothing does. Here whoever plays the sweep sends the validator's balance in
/// ETH: it is forwarded to `RECIPIENT` (divETH, the pool's credentials) and recorded per validator,
/// so the operators' reports can read, at the block of their reference epoch, what was swept (then
/// the validator's beacon balance is no longer counted as on the beacon chain) and add it to
/// `withdrawnEther`. Never deploy this on a network with real withdrawals: anyone may call it.
contract WithdrawalSweepEmulator {
    address public immutable RECIPIENT;
    /// ETH swept per validator, keyed by keccak256 of its 48-byte BLS public key.
    mapping(bytes32 pubkeyHash => uint256) public sweptOf;
    uint256 public totalSwept;

    event Swept(bytes pubkey, uint256 amount, uint256 sweptOfValidator);

    error InvalidPubkeyLength(uint256 length);
    error NothingSent();
    error ZeroAddress();
    error EtherTransferFailed(address to, uint256 amount);

    constructor(address recipient) {
        if (recipient == address(0)) revert ZeroAddress();
        RECIPIENT = recipient;
    }

    /// @notice Sweeps `msg.value` of validator `pubkey` to the recipient.
    function sweep(bytes calldata pubkey) external payable {
        if (pubkey.length != 48) revert InvalidPubkeyLength(pubkey.length);
        if (msg.value == 0) revert NothingSent();
        bytes32 key = keccak256(pubkey);
        uint256 swept = sweptOf[key] + msg.value;
        sweptOf[key] = swept;
        totalSwept += msg.value;
        emit Swept(pubkey, msg.value, swept);
        (bool ok,) = RECIPIENT.call{value: msg.value}("");
        if (!ok) revert EtherTransferFailed(RECIPIENT, msg.value);
    }
}
