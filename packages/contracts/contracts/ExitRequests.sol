// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDkgResultRegistry} from "./DkgResultRegistry.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";

/// @title The owner of the withdrawal credentials, when it is not ExitRequests itself: it forwards an
/// EIP-7002 withdrawal request (it must be the caller of the 7002 contract), paying `msg.value` as the fee.
interface IWithdrawalRequester {
    function addWithdrawalRequest(bytes calldata pubkey, uint64 amountGwei) external payable;
}

/// @title ExitRequests: asks a validator's committee to exit it, and triggers the exit from the execution
/// layer (EIP-7002) where the chain has the withdrawal request contract.
/// @notice `requestExit` is called by the wired requesters (deployDiva wires the evidence contract, for
/// ejections it cannot repair, and the withdrawal queue, on a shortfall; reason 3 is reserved). It emits `ExitRequested`: the committee
/// signs the voluntary exit (a threshold duty) on seeing it. `triggerExit` then lets anyone pay the EIP-7002
/// fee to have the withdrawal credentials' owner request the full exit, so an exit no longer depends on the
/// committee's cooperation.
contract ExitRequests is ReentrancyGuardTransient {
    /// EIP-7002 withdrawal request predeploy.
    address public constant WITHDRAWAL_REQUESTS = 0x00000961Ef480Eb55e80D19ad83579A64c007002;

    IDkgResultRegistry public immutable results;
    ICommitteeDraw public immutable draw;
    address public immutable deployer;

    bool public wired;
    mapping(address caller => bool) public isRequester;
    mapping(uint256 drawId => uint8 reason) public exitReasonOf;

    /// Reasons (exitReasonOf is 0 while no exit was requested).
    uint8 public constant REASON_TOO_MANY_EJECTIONS = 1;
    uint8 public constant REASON_NO_REPLACEMENT = 2;
    uint8 public constant REASON_COLLATERAL_SHORTFALL = 3;
    uint8 public constant REASON_WITHDRAWALS = 4;

    event ExitRequested(uint256 indexed drawId, bytes pubkey, uint8 reason, address requester);
    event ExitTriggered(uint256 indexed drawId, bytes pubkey, uint256 fee);

    error NotDeployer(address caller);
    error AlreadyWired();
    error NotRequester(address caller);
    error BadReason(uint8 reason);
    error NoValidator(uint256 drawId);
    error ExitAlreadyRequested(uint256 drawId, uint8 reason);
    error ExitNotRequested(uint256 drawId);
    error WithdrawalRequestsUnavailable();
    error FeeTooLow(uint256 fee, uint256 paid);
    error WithdrawalRequestFailed();
    error RefundFailed(address to, uint256 amount);

    constructor(IDkgResultRegistry results_, ICommitteeDraw draw_) {
        results = results_;
        draw = draw_;
        deployer = msg.sender;
    }

    /// @notice Sets who may request exits. Once, by the deployer.
    function wire(address[] calldata requesters) external {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (wired) revert AlreadyWired();
        wired = true;
        for (uint256 i = 0; i < requesters.length; i++) {
            isRequester[requesters[i]] = true;
        }
    }

    /// @notice Asks the committee of `drawId` to exit its validator. Only wired requesters.
    function requestExit(uint256 drawId, uint8 reason) external nonReentrant {
        if (!isRequester[msg.sender]) revert NotRequester(msg.sender);
        if (reason == 0 || reason > REASON_WITHDRAWALS) revert BadReason(reason);
        if (results.stageOf(drawId) == IDkgResultRegistry.Stage.None) revert NoValidator(drawId);
        uint8 previous = exitReasonOf[drawId];
        if (previous != 0) revert ExitAlreadyRequested(drawId, previous);
        exitReasonOf[drawId] = reason;
        emit ExitRequested(drawId, results.pubkeyOf(drawId), reason, msg.sender);
        // The withdrawal queue may have marked the draw exited already; the committee must still sign.
        if (draw.statusOf(drawId) == ICommitteeDraw.DrawStatus.Approved) draw.markExited(drawId);
    }

    /// @notice The current EIP-7002 fee (reverts `WithdrawalRequestsUnavailable` where the chain has none).
    function withdrawalRequestFee() public view returns (uint256) {
        if (WITHDRAWAL_REQUESTS.code.length == 0) revert WithdrawalRequestsUnavailable();
        (bool ok, bytes memory ret) = WITHDRAWAL_REQUESTS.staticcall("");
        if (!ok || ret.length != 32) revert WithdrawalRequestsUnavailable();
        return abi.decode(ret, (uint256));
    }

    /// @notice Triggers the full exit of a validator whose exit was requested, through EIP-7002, from the
    /// withdrawal credentials' owner. The caller pays the fee; any excess is refunded.
    function triggerExit(uint256 drawId) external payable nonReentrant {
        if (exitReasonOf[drawId] == 0) revert ExitNotRequested(drawId);
        uint256 fee = withdrawalRequestFee();
        if (msg.value < fee) revert FeeTooLow(fee, msg.value);
        bytes memory pubkey = results.pubkeyOf(drawId);
        address owner = address(uint160(uint256(results.withdrawalCredentials())));
        emit ExitTriggered(drawId, pubkey, fee);
        if (owner == address(this)) {
            (bool ok,) = WITHDRAWAL_REQUESTS.call{value: fee}(abi.encodePacked(pubkey, uint64(0)));
            if (!ok) revert WithdrawalRequestFailed();
        } else {
            IWithdrawalRequester(owner).addWithdrawalRequest{value: fee}(pubkey, 0);
        }
        uint256 refund = msg.value - fee;
        if (refund > 0) {
            (bool sent,) = msg.sender.call{value: refund}("");
            if (!sent) revert RefundFailed(msg.sender, refund);
        }
    }
}
