// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BlockHeader} from "@openzeppelin/contracts/utils/BlockHeader.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";

/// @title CommitteeDraw: a committee of n operators per 32 ETH, drawn by free capacity
/// @notice `requestDraw` reserves 32 buffered ETH and commits to the prevrandao of a future block
/// (`targetBlock = block.number + drawDelayBlocks`). After it, anyone finalizes with that block's
/// RLP header: its hash is checked against BLOCKHASH (or the EIP-2935 history, 8191 blocks) and its
/// prevrandao seeds `OperatorRegistry.selectOperators`, which draws n distinct operators weighted by
/// capacity, O(log n) each. Seats are reserved at once. A committee that has no accepted DKG result
/// within `dkgTimeoutBlocks` can be expired (seats and ETH released) and redrawn, and so can a
/// request whose target block fell out of the history window.
contract CommitteeDraw is ICommitteeDraw, ReentrancyGuard {
    struct Draw {
        DrawStatus status;
        uint64 targetBlock;
        uint64 drawnAtBlock;
        bytes32 seed;
        address[] committee;
        uint32 round; // committees drawn for this id so far (a redraw or a replaced blocker: a new one)
        uint64 approvedAtBlock; // when its DKG result was accepted (its 1 ETH deposited)
    }

    uint256 public constant HISTORY_WINDOW = 8191;
    /// @notice Blocks between two `requestShareRegeneration` of one draw (about an hour at 12 s).
    uint256 public constant REGENERATION_COOLDOWN_BLOCKS = 300;
    uint256 private constant DIV_ETH_PER_VALIDATOR = 32 ether;

    IDivETH public immutable DIV_ETH;
    OperatorRegistry public immutable REGISTRY;
    uint256 public immutable COMMITTEE_SIZE;
    uint256 public immutable THRESHOLD;
    uint256 public immutable DRAW_DELAY_BLOCKS;
    uint256 public immutable DKG_TIMEOUT_BLOCKS;
    address private immutable DEPLOYER;
    address public dkgResult;
    address public withdrawalQueue;
    address public exits;

    mapping(uint256 drawId => Draw) private _draws;
    uint256 public lastDrawId;
    /// @notice Block of the last `requestShareRegeneration` per draw (0: none).
    mapping(uint256 drawId => uint256) public regenerationRequestedAt;

    event DrawRequested(uint256 indexed drawId, uint256 targetBlock, address indexed requester);
    event CommitteeDrawn(uint256 indexed drawId, address[] committee, bytes32 seed, uint256 targetBlock);
    event DrawExpired(uint256 indexed drawId);
    event DrawAbandoned(uint256 indexed drawId, uint256 fundedEther);
    event DrawCancelled(uint256 indexed drawId);
    event DrawApproved(uint256 indexed drawId);
    event DrawExited(uint256 indexed drawId, address indexed by);
    event ReplacementDrawn(uint256 indexed drawId, address indexed ejected, address indexed replacement, uint256 shareIndex);
    event BlockerReplaced(uint256 indexed drawId, address indexed blocker, address indexed replacement, uint256 round);
    event ReshareRequested(uint256 indexed drawId, address[] committee, uint256 shareIndex, address replacement);
    event Wired(address dkgResult, address withdrawalQueue, address exits);

    error Unauthorized(address caller);
    error AlreadyWired();
    error ZeroAddress();
    error InvalidCommitteeSize(uint256 size);
    error InvalidStatus(uint256 drawId, DrawStatus status);
    error TargetBlockNotReached(uint256 drawId, uint256 targetBlock, uint256 blockNumber);
    error TargetBlockUnavailable(uint256 drawId, uint256 targetBlock);
    error InvalidBlockHeader(uint256 drawId, uint256 headerNumber, uint256 targetBlock);
    error NotEnoughOperators(uint256 withCapacity, uint256 needed);
    error DkgNotTimedOut(uint256 drawId, uint256 expiresAtBlock);
    error NotInCommittee(uint256 drawId, address operator);
    error NotEjected(address operator);
    error ConfirmationNotTimedOut(uint256 drawId, uint256 abandonableAfterBlock);
    error DrawFullyFunded(uint256 drawId);
    error MemberEjected(uint256 drawId, address operator);
    error RegenerationCooldown(uint256 drawId, uint256 availableAtBlock);

    constructor(
        IDivETH divEth,
        OperatorRegistry registry,
        uint256 committeeSize_,
        uint256 drawDelayBlocks,
        uint256 dkgTimeoutBlocks
    ) {
        if (address(divEth) == address(0) || address(registry) == address(0)) revert ZeroAddress();
        if (committeeSize_ < 4 || committeeSize_ > 64) revert InvalidCommitteeSize(committeeSize_);
        DIV_ETH = divEth;
        REGISTRY = registry;
        COMMITTEE_SIZE = committeeSize_;
        THRESHOLD = committeeSize_ * 2 / 3 + 1;
        DRAW_DELAY_BLOCKS = drawDelayBlocks == 0 ? 1 : drawDelayBlocks;
        DKG_TIMEOUT_BLOCKS = dkgTimeoutBlocks;
        DEPLOYER = msg.sender;
    }

    /// @notice One-time wiring by the deployer: the DKG-result contract (markApproved), and the two
    /// contracts that may mark a validator exited (withdrawal queue, exits).
    function wire(address dkgResult_, address withdrawalQueue_, address exits_) external {
        if (msg.sender != DEPLOYER) revert Unauthorized(msg.sender);
        if (dkgResult != address(0)) revert AlreadyWired();
        if (dkgResult_ == address(0) || withdrawalQueue_ == address(0) || exits_ == address(0)) revert ZeroAddress();
        dkgResult = dkgResult_;
        withdrawalQueue = withdrawalQueue_;
        exits = exits_;
        emit Wired(dkgResult_, withdrawalQueue_, exits_);
    }

    // ---------------------------------------------------------------- draw lifecycle

    /// @notice Reserves 32 ETH of the buffer and commits to a future block's prevrandao. Anyone may call
    /// it, but the protocol decides: only from buffered ETH not owed to the withdrawal queue
    /// (`InsufficientBuffer`), and only while enough operators have capacity for a committee
    /// (`NotEnoughOperators`), so a request that could never be drawn can't lock the buffer.
    function requestDraw() external nonReentrant returns (uint256 drawId) {
        uint256 withCapacity = REGISTRY.operatorsWithCapacity();
        if (withCapacity < COMMITTEE_SIZE) revert NotEnoughOperators(withCapacity, COMMITTEE_SIZE);
        drawId = ++lastDrawId;
        Draw storage draw = _draws[drawId];
        draw.status = DrawStatus.Requested;
        draw.targetBlock = uint64(block.number + DRAW_DELAY_BLOCKS);
        emit DrawRequested(drawId, draw.targetBlock, msg.sender);
        DIV_ETH.reserveForDraw(drawId);
    }

    /// @notice Draws the committee with the prevrandao of the target block, given as its RLP header.
    function finalizeDraw(uint256 drawId, bytes calldata targetBlockHeader) external nonReentrant {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Requested) revert InvalidStatus(drawId, draw.status);
        uint256 target = draw.targetBlock;
        if (block.number <= target) revert TargetBlockNotReached(drawId, target, block.number);
        if (block.number - target > HISTORY_WINDOW) revert TargetBlockUnavailable(drawId, target);
        bytes memory header = targetBlockHeader;
        uint256 number = BlockHeader.getNumber(header);
        if (number != target || !BlockHeader.verifyBlockHeader(header)) {
            revert InvalidBlockHeader(drawId, number, target);
        }
        bytes32 seed = keccak256(abi.encode(BlockHeader.getPrevRandao(header), drawId));
        uint256 withCapacity = REGISTRY.operatorsWithCapacity();
        if (withCapacity < COMMITTEE_SIZE) revert NotEnoughOperators(withCapacity, COMMITTEE_SIZE);
        address[] memory committee = _seatable(seed, target - 1);
        draw.status = DrawStatus.Drawn;
        draw.drawnAtBlock = uint64(block.number);
        draw.seed = seed;
        draw.committee = committee;
        ++draw.round;
        emit CommitteeDrawn(drawId, committee, seed, target);
        for (uint256 i = 0; i < committee.length; ++i) REGISTRY.reserveSeat(committee[i]);
    }

    /// The committee: the first COMMITTEE_SIZE operators of the selection with the weights recorded at
    /// the end of block `weightsBlock` (before the seed was known) that can take a seat now. An operator
    /// that can't any more (ejected, or its capacity withdrawn since) is passed over for the next pick of
    /// the same sequence, so declining a seat never gives its holder another.
    function _seatable(bytes32 seed, uint256 weightsBlock) private view returns (address[] memory committee) {
        committee = new address[](COMMITTEE_SIZE);
        uint256 count = COMMITTEE_SIZE;
        uint256 seated;
        while (true) {
            address[] memory picks = REGISTRY.selectOperatorsAt(seed, count, weightsBlock);
            seated = 0;
            for (uint256 i = 0; i < picks.length && seated < COMMITTEE_SIZE; ++i) {
                if (REGISTRY.canTakeSeat(picks[i])) committee[seated++] = picks[i];
            }
            if (seated == COMMITTEE_SIZE || picks.length < count || count >= 2 * COMMITTEE_SIZE) break;
            count += COMMITTEE_SIZE - seated;
        }
        if (seated < COMMITTEE_SIZE) revert NotEnoughOperators(seated, COMMITTEE_SIZE);
    }

    /// @notice Expires a committee with no accepted DKG result after `dkgTimeoutBlocks` (seats and
    /// ETH released). Anyone.
    function expire(uint256 drawId) external nonReentrant {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Drawn) revert InvalidStatus(drawId, draw.status);
        uint256 expiresAt = draw.drawnAtBlock + DKG_TIMEOUT_BLOCKS;
        if (block.number <= expiresAt) revert DkgNotTimedOut(drawId, expiresAt);
        draw.status = DrawStatus.Expired;
        emit DrawExpired(drawId);
        address[] memory committee = draw.committee;
        for (uint256 i = 0; i < committee.length; ++i) REGISTRY.releaseSeat(committee[i]);
        DIV_ETH.releaseDraw(drawId);
    }

    /// @notice Starts a new draw for an expired draw id, or for a request whose target block is no
    /// longer verifiable. Anyone.
    function redraw(uint256 drawId) external nonReentrant {
        Draw storage draw = _draws[drawId];
        bool stale = draw.status == DrawStatus.Requested && block.number > draw.targetBlock + HISTORY_WINDOW;
        if (draw.status != DrawStatus.Expired && !stale) revert InvalidStatus(drawId, draw.status);
        bool reserve = draw.status == DrawStatus.Expired;
        draw.status = DrawStatus.Requested;
        draw.targetBlock = uint64(block.number + DRAW_DELAY_BLOCKS);
        delete draw.committee;
        draw.seed = bytes32(0);
        emit DrawRequested(drawId, draw.targetBlock, msg.sender);
        if (reserve) DIV_ETH.reserveForDraw(drawId);
    }

    /// @notice Releases the reservation of a request whose target block left the history window
    /// (it can no longer be drawn; `redraw` would keep the ETH reserved). Anyone.
    function cancel(uint256 drawId) external nonReentrant {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Requested || block.number <= draw.targetBlock + HISTORY_WINDOW) {
            revert InvalidStatus(drawId, draw.status);
        }
        draw.status = DrawStatus.Cancelled;
        emit DrawCancelled(drawId);
        DIV_ETH.releaseDraw(drawId);
    }

    /// @notice Abandons an approved draw whose remaining ETH was not confirmed (`confirmByProof` or
    /// `confirmByQuorum`) within DKG_TIMEOUT_BLOCKS of its approval, e.g. because its 1 ETH deposit was
    /// front-run: the seats and the ETH not yet deposited are released, so nothing stays reserved for a
    /// validator that will never be funded. Anyone.
    function abandon(uint256 drawId) external nonReentrant {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Approved) revert InvalidStatus(drawId, draw.status);
        uint256 funded = DIV_ETH.fundedEther(drawId);
        if (funded >= DIV_ETH_PER_VALIDATOR) revert DrawFullyFunded(drawId);
        uint256 after_ = draw.approvedAtBlock + DKG_TIMEOUT_BLOCKS;
        if (block.number <= after_) revert ConfirmationNotTimedOut(drawId, after_);
        draw.status = DrawStatus.Abandoned;
        emit DrawAbandoned(drawId, funded);
        address[] memory committee = draw.committee;
        for (uint256 i = 0; i < committee.length; ++i) REGISTRY.releaseSeat(committee[i]);
        DIV_ETH.releaseDraw(drawId);
    }

    /// @inheritdoc ICommitteeDraw
    function markApproved(uint256 drawId) external {
        if (msg.sender != dkgResult || msg.sender == address(0)) revert Unauthorized(msg.sender);
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Drawn) revert InvalidStatus(drawId, draw.status);
        draw.approvedAtBlock = uint64(block.number);
        draw.status = DrawStatus.Approved;
        emit DrawApproved(drawId);
    }

    /// @inheritdoc ICommitteeDraw
    /// @dev Seats are released here: the committee still signs the exit, but its collateral no
    /// longer backs a validator that is leaving. ETH not yet deposited goes back to the buffer.
    function markExited(uint256 drawId) external nonReentrant {
        if ((msg.sender != withdrawalQueue && msg.sender != exits) || msg.sender == address(0)) {
            revert Unauthorized(msg.sender);
        }
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Approved) revert InvalidStatus(drawId, draw.status);
        draw.status = DrawStatus.Exited;
        emit DrawExited(drawId, msg.sender);
        address[] memory committee = draw.committee;
        for (uint256 i = 0; i < committee.length; ++i) REGISTRY.releaseSeat(committee[i]);
        DIV_ETH.releaseDraw(drawId);
    }

    /// @inheritdoc ICommitteeDraw
    /// @dev Anyone may call it for an ejected member. Randomness: the current block's prevrandao mixed
    /// with the draw, the member and the block number (a replacement can't wait for a future block
    /// without leaving the committee one short); the selection itself is the same weighted draw.
    function drawReplacement(uint256 drawId, address ejected) external nonReentrant returns (address replacement) {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Drawn && draw.status != DrawStatus.Approved) {
            revert InvalidStatus(drawId, draw.status);
        }
        if (!REGISTRY.operatorOf(ejected).ejected) revert NotEjected(ejected);
        address[] memory committee;
        uint256 seat;
        (replacement, committee, seat) = _replace(drawId, draw, ejected);
        emit ReplacementDrawn(drawId, ejected, replacement, seat + 1);
        emit ReshareRequested(drawId, committee, seat + 1, replacement);
        REGISTRY.releaseSeat(ejected);
        REGISTRY.reserveSeat(replacement);
    }

    /// @inheritdoc ICommitteeDraw
    /// @dev Cooldown: one request per draw per REGENERATION_COOLDOWN_BLOCKS, whoever asks. Each request
    /// makes the whole committee run a resharing ceremony (and record it, t signatures and a BLS check),
    /// so a member must not be able to keep its peers resharing; a real loss is asked for once and the
    /// ceremony finishes in minutes. A fixed number of blocks rather than "until the next
    /// `ReshareRecorded`": that event lives in the DKG-result contract, and a resharing that never
    /// records (a member gone) must not lock the request for good. A member asking during another's
    /// cooldown asks again after it; the resharing under way gives every member new shares anyway.
    function requestShareRegeneration(uint256 drawId) external nonReentrant {
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Approved) revert InvalidStatus(drawId, draw.status);
        address[] memory committee = draw.committee;
        uint256 seat = type(uint256).max;
        for (uint256 i = 0; i < committee.length; ++i) {
            if (committee[i] == msg.sender) seat = i;
        }
        if (seat == type(uint256).max) revert NotInCommittee(drawId, msg.sender);
        if (REGISTRY.operatorOf(msg.sender).ejected) revert MemberEjected(drawId, msg.sender);
        uint256 last = regenerationRequestedAt[drawId];
        if (last != 0 && block.number < last + REGENERATION_COOLDOWN_BLOCKS) {
            revert RegenerationCooldown(drawId, last + REGENERATION_COOLDOWN_BLOCKS);
        }
        regenerationRequestedAt[drawId] = block.number;
        emit ReshareRequested(drawId, committee, seat + 1, msg.sender);
    }

    /// @inheritdoc ICommitteeDraw
    /// @dev Before any DKG result: the blocker loses the seat it blocked (no reshare, there is no key
    /// yet); the committee starts a new ceremony (new round, so a new ceremony id) with a full DKG timeout,
    /// announced as a new CommitteeDrawn. Only the DKG-result contract, on t members' failure report.
    function replaceBlocker(uint256 drawId, address blocker) external nonReentrant returns (address replacement) {
        if (msg.sender != dkgResult || msg.sender == address(0)) revert Unauthorized(msg.sender);
        Draw storage draw = _draws[drawId];
        if (draw.status != DrawStatus.Drawn) revert InvalidStatus(drawId, draw.status);
        address[] memory committee;
        (replacement, committee,) = _replace(drawId, draw, blocker);
        draw.drawnAtBlock = uint64(block.number);
        uint256 round = ++draw.round;
        emit BlockerReplaced(drawId, blocker, replacement, round);
        emit CommitteeDrawn(drawId, committee, draw.seed, draw.targetBlock);
        REGISTRY.releaseSeat(blocker);
        REGISTRY.reserveSeat(replacement);
    }

    /// Puts one operator drawn by free capacity (outside the committee) in `member`'s seat. Randomness: the
    /// current block's prevrandao mixed with the draw, the member and the block number.
    function _replace(uint256 drawId, Draw storage draw, address member)
        private
        returns (address replacement, address[] memory committee, uint256 seat)
    {
        committee = draw.committee;
        seat = type(uint256).max;
        for (uint256 i = 0; i < committee.length; ++i) {
            if (committee[i] == member) seat = i;
        }
        if (seat == type(uint256).max) revert NotInCommittee(drawId, member);
        bytes32 seed = keccak256(abi.encode(block.prevrandao, drawId, member, block.number));
        replacement = REGISTRY.selectOperators(seed, 1, committee)[0];
        draw.committee[seat] = replacement;
        committee[seat] = replacement;
    }

    // ---------------------------------------------------------------- views

    function committeeOf(uint256 drawId) external view returns (address[] memory) {
        return _draws[drawId].committee;
    }

    function roundOf(uint256 drawId) external view returns (uint256) {
        return _draws[drawId].round;
    }

    function statusOf(uint256 drawId) external view returns (DrawStatus) {
        return _draws[drawId].status;
    }

    function getDraw(uint256 drawId) external view returns (Draw memory) {
        return _draws[drawId];
    }

    function committeeSize() external view returns (uint256) {
        return COMMITTEE_SIZE;
    }

    function threshold() external view returns (uint256) {
        return THRESHOLD;
    }
}
