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
/// A request larger than the buffer is finalized in parts (as Lido does): the part the buffer covers
/// is finalized at that report's rate and the rest stays at the head of the queue, so nobody behind it
/// moves ahead and it is not stuck waiting for a buffer as large as itself.
/// Each request is an ERC-721 token (id = request id), transferable: whoever holds it claims what is
/// finalized and not yet paid, to any recipient, with a `WithdrawalClaimed` event per request and
/// claim; the token is burnt when the last part is paid, and a transfer moves the right to the rest.
/// When the buffer can't cover the queue, anyone may request the exit of an active validator
/// (`requestShortfallExit`), through the exits contract, so the committee is asked to sign it and anyone
/// can trigger it with EIP-7002.
contract WithdrawalQueue is IWithdrawalQueue, ERC721, ReentrancyGuard {
    struct Request {
        address owner; // the token's holder (kept in step with transfers)
        uint96 requestedAt; // block timestamp
        uint256 etherAmount; // owed at request time
        uint256 sharesAmount; // locked
        uint256 payout; // finalized so far (all parts, each at its report's rate)
        uint256 claimedEther; // paid by claims of parts (the final claim only sets `claimed`)
        bool claimed; // fully finalized and all paid: the token is burnt
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
    /// The request after `lastFinalizedId` may be finalized in part: its shares and request-time ETH
    /// finalized so far (kept here rather than per request, as only the head of the queue can be partial).
    uint256 public partialShares;
    uint256 public partialEther;
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
    event WithdrawalPartiallyFinalized(uint256 indexed requestId, uint256 etherPaid, uint256 sharesBurnt);
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
    error NothingToClaim(uint256 requestId, uint256 claimedEther);
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
            claimedEther: 0,
            claimed: false
        });
        unfinalizedEther += amount;
        _mint(owner, requestId);
        emit WithdrawalRequested(requestId, owner, amount, sharesAmount);
        DIV_ETH.transferFrom(owner, address(this), amount);
    }

    /// @notice Finalizes up to `maxRequests` requests in order, as far as buffered ETH allows; the first
    /// request the buffer can't cover whole is finalized in part (at least MIN_REQUEST) and ends the
    /// call. Anyone may call. Returns the last fully finalized id.
    function finalize(uint256 maxRequests) external nonReentrant returns (uint256) {
        uint256 available = _availableDivEth();
        uint256 id = lastFinalizedId;
        uint256 end = lastRequestId;
        (uint256 referenceTime, uint256 reportPooled, uint256 reportShares) = accounting.lastReport();
        if (id < end && _requests[id + 1].requestedAt >= referenceTime) {
            revert NotReportedYet(id + 1, _requests[id + 1].requestedAt, referenceTime);
        }
        Totals memory t = Totals(0, 0, 0, 0, 0);
        uint256 doneShares = partialShares;
        uint256 doneEther = partialEther;
        for (uint256 i = 0; i < maxRequests && id < end; ++i) {
            Request storage request = _requests[id + 1];
            // Only requests made before the last report's reference epoch began.
            if (request.requestedAt >= referenceTime) break;
            // What is left of the request (all of it unless it was finalized in part before).
            uint256 shares = request.sharesAmount - doneShares;
            uint256 owed = request.etherAmount - doneEther;
            uint256 payout = _payout(shares, owed, reportPooled, reportShares);
            uint256 room = available - t.etherPaid;
            if (payout > room) {
                _finalizePart(id + 1, [shares, owed, payout, room, doneShares, doneEther], t);
                break;
            }
            request.payout += payout;
            t.etherPaid += payout;
            t.sharesBurnt += shares;
            t.owed += owed;
            (doneShares, doneEther) = (0, 0);
            ++id;
        }
        bool endsInPart = t.partShares > 0;
        if (id == lastFinalizedId && !endsInPart) revert NothingToFinalize(id + 1, available);
        if (id != lastFinalizedId) {
            emit WithdrawalsFinalized(lastFinalizedId + 1, id, t.etherPaid - t.partPayout, t.sharesBurnt - t.partShares);
            lastFinalizedId = id;
            // The head finished whole: a part recorded now (if any) is the new head's.
            if (!endsInPart) (partialShares, partialEther) = (0, 0);
        }
        unfinalizedEther -= t.owed;
        lockedEther += t.etherPaid;
        DIV_ETH.fundWithdrawals(t.etherPaid, t.sharesBurnt);
        return id;
    }

    /// Finalizes the part of request `requestId` the buffer covers (`room` of its remaining `payout`),
    /// at the same rate (payout per share), rounded down in ETH and in shares so the pool never pays for
    /// more than it burns; the rest waits in place. Parts below MIN_REQUEST wait whole.
    /// `left` = [shares, owed, payout, room, doneShares, doneEther] (an array: the stack is full).
    function _finalizePart(uint256 requestId, uint256[6] memory left, Totals memory t) private {
        uint256 partShares = Math.mulDiv(left[0], left[3], left[2]);
        uint256 partPayout = Math.mulDiv(left[2], partShares, left[0]);
        if (partPayout < MIN_REQUEST) return;
        uint256 partOwed = Math.mulDiv(left[1], partShares, left[0]);
        _requests[requestId].payout += partPayout;
        partialShares = left[4] + partShares;
        partialEther = left[5] + partOwed;
        t.etherPaid += partPayout;
        t.sharesBurnt += partShares;
        t.owed += partOwed;
        (t.partPayout, t.partShares) = (partPayout, partShares);
        emit WithdrawalPartiallyFinalized(requestId, partPayout, partShares);
    }

    /// Totals of one `finalize` call; the part of a request finalized last (if any) is also kept apart.
    struct Totals {
        uint256 etherPaid;
        uint256 sharesBurnt;
        uint256 owed;
        uint256 partPayout;
        uint256 partShares;
    }

    /// min(ETH owed at request time, the shares' value now, their value at the last report).
    function _payout(uint256 shares, uint256 owed, uint256 reportPooled, uint256 reportShares)
        private
        view
        returns (uint256 payout)
    {
        payout = owed;
        uint256 value = DIV_ETH.getPooledEthByShares(shares);
        if (value < payout) payout = value;
        value = Math.mulDiv(shares, reportPooled, reportShares);
        if (value < payout) payout = value;
    }

    function _availableDivEth() private view returns (uint256) {
        return DIV_ETH.availableForWithdrawals();
    }

    /// @notice Pays what is finalized of a request and not yet paid to `recipient`. Only its owner (the
    /// token's holder); the token is burnt with the payment that completes a fully finalized request.
    function claim(uint256 requestId, address payable recipient) external nonReentrant {
        if (requestId == 0 || requestId > lastRequestId) revert UnknownRequest(requestId);
        Request storage request = _requests[requestId];
        if (request.owner != msg.sender) revert NotOwner(requestId, msg.sender, request.owner);
        if (request.claimed) revert AlreadyClaimed(requestId);
        bool whole = requestId <= lastFinalizedId;
        // Only the head of the queue can be finalized in part.
        if (!whole && (requestId != lastFinalizedId + 1 || partialShares == 0)) {
            revert NotFinalized(requestId, lastFinalizedId);
        }
        if (recipient == address(0)) revert ZeroAddress();
        uint256 amount = request.payout - request.claimedEther;
        if (whole) {
            request.claimed = true;
            _burn(requestId);
        } else {
            if (amount == 0) revert NothingToClaim(requestId, request.claimedEther);
            request.claimedEther = request.payout;
        }
        lockedEther -= amount;
        emit WithdrawalClaimed(requestId, msg.sender, recipient, amount);
        (bool ok,) = recipient.call{value: amount}("");
        if (!ok) revert EtherTransferFailed(recipient, amount);
    }

    /// @notice ETH the holder of `requestId` can claim now (finalized, not yet paid).
    function claimable(uint256 requestId) external view returns (uint256) {
        if (requestId == 0 || requestId > lastRequestId) revert UnknownRequest(requestId);
        Request storage request = _requests[requestId];
        return request.claimed ? 0 : request.payout - request.claimedEther;
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
