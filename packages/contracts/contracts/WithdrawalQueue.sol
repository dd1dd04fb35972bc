// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IAccounting} from "./interfaces/IAccounting.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";
import {IExitRequests} from "./interfaces/IExitRequests.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";

/// @title WithdrawalQueue: divETH -> ETH, first come first served
/// @notice A request locks divETH shares and fixes the ETH owed at the current rate. Requests are
/// finalized strictly in order as buffered ETH allows (anyone may finalize), and only once a report
/// whose reference epoch began after the request has been accepted, at that report's rate: a request
/// pays min(ETH at request, shares' value at the report, shares' value now). So a holder who sees a loss
/// coming (a signed report, a slashing on the beacon chain) can't leave at the old rate before it is
/// reported, and a stake made just before a rewarding report can't leave with the reward before the
/// next one (as Lido's oracle-driven finalization).
/// Each request is an ERC-721 token (id = request id), transferable: whoever holds it claims the ETH,
/// once, to any recipient (the token is burnt at the claim; `WithdrawalClaimed` names the request). When the buffer can't cover the queue, anyone may
/// request the exit of an active validator (`requestShortfallExit`), through the exits contract, so the
/// committee is asked to sign it and anyone can trigger it with EIP-7002.
contract WithdrawalQueue is IWithdrawalQueue, ERC721, ReentrancyGuard {
    struct Request {
        address owner; // the token's holder (kept in step with transfers)
        uint96 requestedAt; // block timestamp
        uint256 etherAmount; // owed at request time
        uint256 sharesAmount; // locked
        uint256 payout; // set at finalization
        bool claimed;
    }

    uint256 public constant MIN_REQUEST = 100 gwei;
    uint256 public constant ETH_PER_VALIDATOR = 32 ether;

    IDivETH public immutable DIV_ETH;
    address private immutable DEPLOYER;
    ICommitteeDraw public committeeDraw;
    IAccounting public accounting;
    IExitRequests public exits;

    mapping(uint256 requestId => Request) private _requests;
    uint256 public lastRequestId;
    uint256 public lastFinalizedId;
    uint256 public unfinalizedEther;
    /// ETH finalized and not yet claimed (held here).
    uint256 public lockedEther;
    uint256 public shortfallExits;
    /// Shortfall exits of the current batch (requested while others were in flight) and the reported
    /// exit count when the batch began: only exits completed since then count against it, so exits
    /// that happened before (ejections, earlier batches) don't make room for more.
    uint256 public batchExits;
    uint256 public batchExitedBaseline;

    event WithdrawalRequested(uint256 indexed requestId, address indexed owner, uint256 etherAmount, uint256 sharesAmount);
    event WithdrawalsFinalized(uint256 fromId, uint256 toId, uint256 etherPaid, uint256 sharesBurnt);
    event WithdrawalClaimed(uint256 indexed requestId, address indexed owner, address recipient, uint256 amount);
    event ExitRequested(uint256 indexed drawId, uint8 reason, uint256 shortfallEther);
    event Wired(address committeeDraw, address accounting, address exits);

    error Unauthorized(address caller);
    error AlreadyWired();
    error ZeroAddress();
    error RequestTooSmall(uint256 amount, uint256 minimum);
    error UnknownRequest(uint256 requestId);
    error NotOwner(uint256 requestId, address caller, address owner);
    error NotFinalized(uint256 requestId, uint256 lastFinalizedId);
    error AlreadyClaimed(uint256 requestId);
    error NothingToFinalize(uint256 nextId, uint256 available);
    error NotReportedYet(uint256 requestId, uint256 requestedAt, uint256 reportReferenceTime);
    error NoShortfall(uint256 unfinalizedEther, uint256 available, uint256 exitsInFlight);
    error DrawNotActive(uint256 drawId, ICommitteeDraw.DrawStatus status);
    error DrawNotFunded(uint256 drawId, uint256 fundedEther);
    error EtherTransferFailed(address to, uint256 amount);
    error UnexpectedEther(address sender);

    /// Same code as ExitRequests uses for withdrawals.
    uint8 public constant EXIT_REASON_SHORTFALL = 4;

    constructor(IDivETH divEth) ERC721("Diva withdrawal request", "divETH-wr") {
        if (address(divEth) == address(0)) revert ZeroAddress();
        DIV_ETH = divEth;
        DEPLOYER = msg.sender;
    }

    function wire(ICommitteeDraw committeeDraw_, IAccounting accounting_, IExitRequests exits_) external {
        if (msg.sender != DEPLOYER) revert Unauthorized(msg.sender);
        if (address(committeeDraw) != address(0)) revert AlreadyWired();
        if (
            address(committeeDraw_) == address(0) || address(accounting_) == address(0)
                || address(exits_) == address(0)
        ) revert ZeroAddress();
        committeeDraw = committeeDraw_;
        accounting = accounting_;
        exits = exits_;
        emit Wired(address(committeeDraw_), address(accounting_), address(exits_));
    }

    /// @notice Only divETH pays this contract (finalization).
    receive() external payable {
        if (msg.sender != address(DIV_ETH)) revert UnexpectedEther(msg.sender);
    }

    /// @notice Locks `amount` of divETH (its shares, rounded down) from the caller, who must have approved
    /// this contract. Returns the request id.
    function requestWithdrawal(uint256 amount) external nonReentrant returns (uint256 requestId) {
        return _request(msg.sender, amount);
    }

    function requestWithdrawalWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        // A permit front-run by someone else only spends the signature; the allowance is the same.
        try DIV_ETH.permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _request(msg.sender, amount);
    }

    function _request(address owner, uint256 amount) private returns (uint256 requestId) {
        if (amount < MIN_REQUEST) revert RequestTooSmall(amount, MIN_REQUEST);
        // Plain ERC-20 transferFrom: the allowance is exactly `amount`; the shares moved are rounded
        // down, and the payout is capped by their value, so rounding never favours the requester.
        uint256 sharesAmount = DIV_ETH.getSharesByPooledEth(amount);
        requestId = ++lastRequestId;
        _requests[requestId] = Request({
            owner: owner,
            requestedAt: uint96(block.timestamp),
            etherAmount: amount,
            sharesAmount: sharesAmount,
            payout: 0,
            claimed: false
        });
        unfinalizedEther += amount;
        _mint(owner, requestId);
        emit WithdrawalRequested(requestId, owner, amount, sharesAmount);
        DIV_ETH.transferFrom(owner, address(this), amount);
    }

    /// @notice Finalizes up to `maxRequests` requests in order, as far as buffered ETH allows.
    /// Anyone may call. Returns the last finalized id.
    function finalize(uint256 maxRequests) external nonReentrant returns (uint256) {
        uint256 available = _availableDivEth();
        uint256 id = lastFinalizedId;
        uint256 end = lastRequestId;
        uint256 etherTotal;
        uint256 sharesTotal;
        uint256 owedTotal;
        (uint256 referenceTime, uint256 reportPooled, uint256 reportShares) = accounting.lastReport();
        if (id < end && _requests[id + 1].requestedAt >= referenceTime) {
            revert NotReportedYet(id + 1, _requests[id + 1].requestedAt, referenceTime);
        }
        for (uint256 i = 0; i < maxRequests && id < end; ++i) {
            Request storage request = _requests[id + 1];
            // Only requests made before the last report's reference epoch began.
            if (request.requestedAt >= referenceTime) break;
            uint256 payout = request.etherAmount;
            uint256 value = DIV_ETH.getPooledEthByShares(request.sharesAmount);
            if (value < payout) payout = value;
            value = Math.mulDiv(request.sharesAmount, reportPooled, reportShares);
            if (value < payout) payout = value;
            if (etherTotal + payout > available) break;
            request.payout = payout;
            etherTotal += payout;
            sharesTotal += request.sharesAmount;
            owedTotal += request.etherAmount;
            ++id;
        }
        if (id == lastFinalizedId) revert NothingToFinalize(id + 1, available);
        uint256 fromId = lastFinalizedId + 1;
        lastFinalizedId = id;
        unfinalizedEther -= owedTotal;
        lockedEther += etherTotal;
        emit WithdrawalsFinalized(fromId, id, etherTotal, sharesTotal);
        DIV_ETH.fundWithdrawals(etherTotal, sharesTotal);
        return id;
    }

    function _availableDivEth() private view returns (uint256) {
        return DIV_ETH.availableForWithdrawals();
    }

    /// @notice Pays a finalized request to `recipient`. Only its owner, once.
    function claim(uint256 requestId, address payable recipient) external nonReentrant {
        if (requestId == 0 || requestId > lastRequestId) revert UnknownRequest(requestId);
        Request storage request = _requests[requestId];
        if (request.owner != msg.sender) revert NotOwner(requestId, msg.sender, request.owner);
        if (requestId > lastFinalizedId) revert NotFinalized(requestId, lastFinalizedId);
        if (request.claimed) revert AlreadyClaimed(requestId);
        if (recipient == address(0)) revert ZeroAddress();
        request.claimed = true;
        _burn(requestId);
        uint256 amount = request.payout;
        lockedEther -= amount;
        emit WithdrawalClaimed(requestId, msg.sender, recipient, amount);
        (bool ok,) = recipient.call{value: amount}("");
        if (!ok) revert EtherTransferFailed(recipient, amount);
    }

    /// Keeps each request's `owner` in step with its token (the burn at the claim leaves the last holder).
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (to != address(0)) _requests[tokenId].owner = to;
    }

    function getRequest(uint256 requestId) external view returns (Request memory) {
        if (requestId == 0 || requestId > lastRequestId) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @notice ETH the queue still needs beyond the buffer and the exits already under way.
    function shortfall() public view returns (uint256 missing, uint256 exitsInFlight) {
        uint256 done = accounting.exitedValidators() - batchExitedBaseline;
        exitsInFlight = batchExits > done ? batchExits - done : 0;
        uint256 covered = _availableDivEth() + exitsInFlight * ETH_PER_VALIDATOR;
        missing = unfinalizedEther > covered ? unfinalizedEther - covered : 0;
    }

    /// @notice When the buffer and the exits under way can't cover the queue, anyone may ask the
    /// committee of an active validator (`drawId`, Approved) to exit it. The draw is marked exited (seats
    /// and undeposited ETH released) and the exit is requested from the exits contract (reason 4), whose
    /// `ExitRequested` the committee signs a voluntary exit for and whose `triggerExit` (EIP-7002) anyone
    /// may then call. This contract's own `ExitRequested` carries the missing ETH, for indexers.
    function requestShortfallExit(uint256 drawId) external nonReentrant {
        (uint256 missing, uint256 exitsInFlight) = shortfall();
        if (missing == 0) revert NoShortfall(unfinalizedEther, _availableDivEth(), exitsInFlight);
        ICommitteeDraw.DrawStatus status = committeeDraw.statusOf(drawId);
        if (status != ICommitteeDraw.DrawStatus.Approved) revert DrawNotActive(drawId, status);
        // A validator never fully funded never activated: exiting it would free nothing (a phantom exit).
        uint256 funded = DIV_ETH.fundedEther(drawId);
        if (funded < ETH_PER_VALIDATOR) revert DrawNotFunded(drawId, funded);
        if (exitsInFlight == 0) {
            batchExits = 0;
            batchExitedBaseline = accounting.exitedValidators();
        }
        ++batchExits;
        ++shortfallExits;
        emit ExitRequested(drawId, EXIT_REASON_SHORTFALL, missing);
        committeeDraw.markExited(drawId);
        exits.requestExit(drawId, EXIT_REASON_SHORTFALL);
    }
}
