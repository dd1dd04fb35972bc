// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BlockHeader} from "@openzeppelin/contracts/utils/BlockHeader.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAccounting} from "./interfaces/IAccounting.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";

/// @title Accounting: quorum-approved balance reports, rebasing, operator rewards and penalties
/// @notice A report states, for the reference epoch of one frame, the beacon balance of all pool
/// validators, how much of the ETH sent to the deposit contract the beacon chain has credited, the
/// cumulative count of fully withdrawn validators and penalties (ETH) for missed duties per operator.
/// It needs EIP-712 signatures of operators holding at least ceil(2/3) of the voting weight, in
/// ascending signer order: an active operator (registered, not ejected, holding a seat) weighs the
/// seats it holds, each backed by one seat's collateral; head count never counts, so splitting
/// collateral over many registrations buys no extra vote.
/// Pacing: time is cut into frames of `epochsPerFrame` beacon epochs; a report names the first epoch of
/// a frame (its reference epoch), which must have started and be later than the last report's, so
/// there is at most one report per frame. The pooled ETH may grow by at most `maxAnnualIncreaseBps` per
/// year and shrink by at most `maxDailyDecreaseBps` per day, both pro rata of the time between the two
/// reference epochs: a quorum can't chain reports to move the rate faster than time passes.
/// Reporting committee: while the active seats are more than `REPORTING_COMMITTEE_SEATS` (K), a report
/// for reference epoch E is voted by a sample of K seats drawn for E (`requestReportingCommittee`, then
/// `drawReportingCommittee` with the RLP header of a block committed to in the future, as draws do),
/// uniformly without replacement among the seats recorded at the end of the block before that block;
/// signers must hold ceil(2/3) of the sampled seats. So a report carries at most K signatures whatever
/// the number of operators. With K seats or fewer, every active seat votes (the sample would be all).
/// Operators receive `operatorFeeBps` of any increase, per seat; penalties are taken from collateral
/// (burned, so stakers are made whole) and an operator left under-collateralized is ejected.
contract Accounting is IAccounting, EIP712, ReentrancyGuard {
    struct Penalty {
        address operator;
        uint256 amount;
    }

    struct Report {
        uint256 epoch;
        uint256 clBalance;
        uint256 clDepositedEther;
        uint256 exitedValidators;
        uint256 withdrawnEther; // cumulative ETH the beacon chain withdrew to divETH up to the reference epoch
        uint256 elRewards; // the execution-layer rewards vault's balance at the reference epoch
        Penalty[] penalties;
    }

    bytes32 public constant PENALTY_TYPEHASH = keccak256("Penalty(address operator,uint256 amount)");
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(uint256 epoch,uint256 clBalance,uint256 clDepositedEther,uint256 exitedValidators,uint256 withdrawnEther,uint256 elRewards,Penalty[] penalties)"
        "Penalty(address operator,uint256 amount)"
    );
    uint256 public constant MAX_PENALTIES = 64;
    /// Largest annual increase cap accepted at deployment (1,000% a year).
    uint256 public constant MAX_ANNUAL_INCREASE_LIMIT_BPS = 100_000;
    /// Blocks between a committee request and the block whose prevrandao seeds it.
    uint256 public constant COMMITTEE_DELAY_BLOCKS = 2;
    /// Blocks whose hash is still readable (EIP-2935).
    uint256 public constant HISTORY_WINDOW = 8191;
    uint256 public constant MIN_COMMITTEE_SEATS = 16;
    uint256 public constant MAX_COMMITTEE_SEATS = 256;

    /// The reporting committee of one reference epoch.
    struct ReportingCommittee {
        uint64 targetBlock; // its seed is this block's prevrandao; weights from the block before
        uint32 seats; // seats sampled (K, or all seats if fewer); 0 until drawn
        bool drawn;
    }

    /// Beacon chain time and the frames reports belong to (immutable).
    struct Frames {
        uint64 genesisTime; // beacon genesis, seconds
        uint64 secondsPerEpoch; // 384 on mainnet (32 slots of 12 s)
        uint64 epochsPerFrame; // 225 = one day on mainnet
        uint64 initialEpoch; // reference epoch before the first report (a frame start, already reached)
    }

    IDivETH public immutable DIV_ETH;
    OperatorRegistry public immutable REGISTRY;
    uint256 public immutable MAX_ANNUAL_INCREASE_BPS;
    uint256 public immutable MAX_DAILY_DECREASE_BPS;
    uint256 public immutable OPERATOR_FEE_BPS;
    uint256 public immutable GENESIS_TIME;
    uint256 public immutable SECONDS_PER_EPOCH;
    uint256 public immutable EPOCHS_PER_FRAME;
    /// K: seats sampled per reporting committee; with K active seats or fewer, every seat votes.
    uint256 public immutable REPORTING_COMMITTEE_SEATS;

    uint256 public lastEpoch;
    uint256 public exitedValidators;
    /// The latest reference epoch with a drawn committee (what `verifyQuorum` asks).
    uint256 public latestCommitteeEpoch;
    /// divETH's pooled ETH and total shares right after the last report (the rate withdrawals finalize at).
    uint256 private _reportPooledEther;
    uint256 private _reportTotalShares;
    mapping(uint256 epoch => ReportingCommittee) private _committees;
    mapping(uint256 epoch => mapping(address operator => uint256 seats)) private _committeeSeats;

    event ReportAccepted(
        uint256 indexed epoch,
        uint256 preTotalEther,
        uint256 postTotalEther,
        uint256 operatorFeeShares,
        uint256 exitedValidators,
        uint256 signers
    );
    event ReportingCommitteeRequested(uint256 indexed epoch, uint256 targetBlock, address indexed requester);
    event ReportingCommitteeDrawn(uint256 indexed epoch, address[] members, bytes32 seed, uint256 targetBlock);
    event PenaltyApplied(uint256 indexed epoch, address indexed operator, uint256 requested, uint256 taken);

    error InvalidBps(uint256 bps);
    error ZeroAddress();
    error StaleReport(uint256 epoch, uint256 lastEpoch);
    error NotFrameStart(uint256 epoch, uint256 epochsPerFrame);
    error ReferenceEpochNotReached(uint256 epoch, uint256 currentEpoch);
    error InvalidFrames();
    error ExitedValidatorsDecreased(uint256 reported, uint256 previous);
    error TooManyPenalties(uint256 count, uint256 max);
    error NoActiveOperators();
    error QuorumNotReached(uint256 weight, uint256 needed);
    error SignersNotSorted(uint256 position);
    error NotActiveOperator(address signer, uint256 position);
    error InvalidCommitteeSeats(uint256 seats);
    error CommitteeNotNeeded(uint256 activeSeats, uint256 committeeSeats);
    error CommitteeAlreadyRequested(uint256 epoch, uint256 targetBlock);
    error CommitteeAlreadyDrawn(uint256 epoch);
    error CommitteeNotRequested(uint256 epoch);
    error TargetBlockNotReached(uint256 epoch, uint256 targetBlock, uint256 blockNumber);
    error TargetBlockUnavailable(uint256 epoch, uint256 targetBlock);
    error InvalidBlockHeader(uint256 epoch, uint256 headerNumber, uint256 targetBlock);
    error ReportingCommitteeNotDrawn(uint256 epoch);
    error NotInReportingCommittee(address signer, uint256 position);
    error ChangeOutOfBounds(uint256 preTotalEther, uint256 postTotalEther, uint256 maxChange);

    constructor(
        IDivETH divEth,
        OperatorRegistry registry,
        Frames memory frames,
        uint256 maxAnnualIncreaseBps,
        uint256 maxDailyDecreaseBps,
        uint256 operatorFeeBps,
        uint256 reportingCommitteeSeats
    ) EIP712("Diva Accounting", "1") {
        if (address(divEth) == address(0) || address(registry) == address(0)) revert ZeroAddress();
        if (maxAnnualIncreaseBps > MAX_ANNUAL_INCREASE_LIMIT_BPS) revert InvalidBps(maxAnnualIncreaseBps);
        if (maxDailyDecreaseBps > 10_000) revert InvalidBps(maxDailyDecreaseBps);
        if (operatorFeeBps > 10_000) revert InvalidBps(operatorFeeBps);
        if (reportingCommitteeSeats < MIN_COMMITTEE_SEATS || reportingCommitteeSeats > MAX_COMMITTEE_SEATS) {
            revert InvalidCommitteeSeats(reportingCommitteeSeats);
        }
        if (
            frames.secondsPerEpoch == 0 || frames.epochsPerFrame == 0 || frames.genesisTime > block.timestamp
                || frames.initialEpoch % frames.epochsPerFrame != 0
                || frames.initialEpoch > (block.timestamp - frames.genesisTime) / frames.secondsPerEpoch
        ) revert InvalidFrames();
        DIV_ETH = divEth;
        REGISTRY = registry;
        MAX_ANNUAL_INCREASE_BPS = maxAnnualIncreaseBps;
        MAX_DAILY_DECREASE_BPS = maxDailyDecreaseBps;
        OPERATOR_FEE_BPS = operatorFeeBps;
        GENESIS_TIME = frames.genesisTime;
        SECONDS_PER_EPOCH = frames.secondsPerEpoch;
        EPOCHS_PER_FRAME = frames.epochsPerFrame;
        REPORTING_COMMITTEE_SEATS = reportingCommitteeSeats;
        lastEpoch = frames.initialEpoch;
    }

    /// @notice The beacon epoch now (by the block's timestamp).
    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - GENESIS_TIME) / SECONDS_PER_EPOCH;
    }

    /// @notice The reference epoch of the current frame: the latest epoch a report may name now.
    function currentReferenceEpoch() public view returns (uint256) {
        uint256 epoch = currentEpoch();
        return epoch - epoch % EPOCHS_PER_FRAME;
    }

    /// @notice Largest increase and decrease of the pooled ETH a report for reference epoch `epoch`
    /// may make now (pro rata of the time since the last report's reference epoch).
    function changeLimits(uint256 epoch) public view returns (uint256 maxIncrease, uint256 maxDecrease) {
        if (epoch <= lastEpoch) return (0, 0);
        uint256 pooled = DIV_ETH.totalPooledEther();
        uint256 elapsed = (epoch - lastEpoch) * SECONDS_PER_EPOCH;
        maxIncrease = Math.mulDiv(pooled, MAX_ANNUAL_INCREASE_BPS * elapsed, 10_000 * 365 days);
        maxDecrease = Math.mulDiv(pooled, MAX_DAILY_DECREASE_BPS * elapsed, 10_000 * 1 days);
        if (maxDecrease > pooled) maxDecrease = pooled;
    }

    /// @notice EIP-712 digest the operators sign for `report`.
    function reportDigest(Report calldata report) public view returns (bytes32) {
        bytes32[] memory penaltyHashes = new bytes32[](report.penalties.length);
        for (uint256 i = 0; i < report.penalties.length; ++i) {
            penaltyHashes[i] =
                keccak256(abi.encode(PENALTY_TYPEHASH, report.penalties[i].operator, report.penalties[i].amount));
        }
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REPORT_TYPEHASH,
                    report.epoch,
                    report.clBalance,
                    report.clDepositedEther,
                    report.exitedValidators,
                    report.withdrawnEther,
                    report.elRewards,
                    keccak256(abi.encodePacked(penaltyHashes))
                )
            )
        );
    }

    /// @notice Voting weight a report for the current reference epoch needs now: ceil(2/3) of the seats
    /// held by active operators, or of the seats sampled into that epoch's reporting committee when
    /// there are more than K (0 if that committee is not drawn yet). An operator votes with its seats
    /// (each backed by one seat's collateral), never with its head.
    function quorum() external view returns (uint256) {
        (uint256 needed,) = _quorumFor(currentReferenceEpoch());
        return needed;
    }

    /// Weight needed for a vote on `epoch`'s committee and whether the committee (not all seats) votes.
    function _quorumFor(uint256 epoch) private view returns (uint256 needed, bool byCommittee) {
        uint256 seats = REGISTRY.activeSeats();
        byCommittee = seats > REPORTING_COMMITTEE_SEATS;
        if (byCommittee) seats = _committees[epoch].seats;
        needed = (seats * 2 + 2) / 3;
    }

    // ---------------------------------------------------------------- reporting committee

    /// @notice Commits the current frame's reporting committee to the prevrandao of a block
    /// COMMITTEE_DELAY_BLOCKS ahead (anyone; needed only while there are more than K active seats). Again
    /// only if the previous commitment left the history window undrawn.
    function requestReportingCommittee() external returns (uint256 epoch, uint256 targetBlock) {
        epoch = currentReferenceEpoch();
        if (epoch <= lastEpoch) revert StaleReport(epoch, lastEpoch);
        uint256 seats = REGISTRY.activeSeats();
        if (seats <= REPORTING_COMMITTEE_SEATS) revert CommitteeNotNeeded(seats, REPORTING_COMMITTEE_SEATS);
        ReportingCommittee storage committee = _committees[epoch];
        if (committee.drawn) revert CommitteeAlreadyDrawn(epoch);
        if (committee.targetBlock != 0 && block.number <= committee.targetBlock + HISTORY_WINDOW) {
            revert CommitteeAlreadyRequested(epoch, committee.targetBlock);
        }
        targetBlock = block.number + COMMITTEE_DELAY_BLOCKS;
        committee.targetBlock = uint64(targetBlock);
        emit ReportingCommitteeRequested(epoch, targetBlock, msg.sender);
    }

    /// @notice Draws `epoch`'s committee with the prevrandao of its target block, given as its RLP header
    /// (anyone): K seats sampled uniformly without replacement from the seats recorded at the end of the
    /// block before the target block, fixed before the seed was known.
    function drawReportingCommittee(uint256 epoch, bytes calldata targetBlockHeader) external {
        ReportingCommittee storage committee = _committees[epoch];
        uint256 target = committee.targetBlock;
        if (committee.drawn) revert CommitteeAlreadyDrawn(epoch);
        if (target == 0) revert CommitteeNotRequested(epoch);
        if (block.number <= target) revert TargetBlockNotReached(epoch, target, block.number);
        if (block.number - target > HISTORY_WINDOW) revert TargetBlockUnavailable(epoch, target);
        bytes memory header = targetBlockHeader;
        uint256 number = BlockHeader.getNumber(header);
        if (number != target || !BlockHeader.verifyBlockHeader(header)) {
            revert InvalidBlockHeader(epoch, number, target);
        }
        bytes32 seed = keccak256(abi.encode(BlockHeader.getPrevRandao(header), "diva-reporting-committee", epoch));
        address[] memory members = REGISTRY.sampleSeatsAt(seed, REPORTING_COMMITTEE_SEATS, target - 1);
        mapping(address => uint256) storage seatsOf = _committeeSeats[epoch];
        for (uint256 i = 0; i < members.length; ++i) ++seatsOf[members[i]];
        committee.drawn = true;
        committee.seats = uint32(members.length);
        if (epoch > latestCommitteeEpoch) latestCommitteeEpoch = epoch;
        emit ReportingCommitteeDrawn(epoch, members, seed, target);
    }

    /// @notice `epoch`'s reporting committee: its target block, whether it is drawn, the seats sampled.
    function reportingCommitteeOf(uint256 epoch)
        external
        view
        returns (uint256 targetBlock, bool drawn, uint256 seats)
    {
        ReportingCommittee storage committee = _committees[epoch];
        return (committee.targetBlock, committee.drawn, committee.seats);
    }

    /// @notice Seats of `operator` in `epoch`'s reporting committee (its vote there).
    function committeeSeatsOf(uint256 epoch, address operator) external view returns (uint256) {
        return _committeeSeats[epoch][operator];
    }

    /// ETH that arrived at divETH and may be counted now: what left the beacon chain (exits, skims:
    /// the drop of the beacon balance, credited deposits aside) plus the largest increase allowed for
    /// the time elapsed.
    function _maxReceived(Report calldata report, uint256 maxIncrease) private view returns (uint256) {
        uint256 previousCl = DIV_ETH.clBalance();
        uint256 previousDeposited = DIV_ETH.clDepositedEther();
        uint256 expectedCl = report.clDepositedEther >= previousDeposited
            ? previousCl + (report.clDepositedEther - previousDeposited)
            : previousCl;
        uint256 drop = expectedCl > report.clBalance ? expectedCl - report.clBalance : 0;
        return drop + maxIncrease;
    }

    /// @notice Applies a report signed by a 2/3 quorum. Anyone may submit it.
    function submitReport(Report calldata report, bytes[] calldata signatures) external nonReentrant {
        if (report.epoch <= lastEpoch) revert StaleReport(report.epoch, lastEpoch);
        if (report.epoch % EPOCHS_PER_FRAME != 0) revert NotFrameStart(report.epoch, EPOCHS_PER_FRAME);
        uint256 now_ = currentEpoch();
        if (report.epoch > now_) revert ReferenceEpochNotReached(report.epoch, now_);
        if (report.exitedValidators < exitedValidators) {
            revert ExitedValidatorsDecreased(report.exitedValidators, exitedValidators);
        }
        if (report.penalties.length > MAX_PENALTIES) revert TooManyPenalties(report.penalties.length, MAX_PENALTIES);
        _checkQuorum(reportDigest(report), signatures, report.epoch);

        (uint256 maxIncrease, uint256 maxDecrease) = changeLimits(report.epoch);
        lastEpoch = report.epoch;
        exitedValidators = report.exitedValidators;
        (uint256 pre, uint256 post, uint256 feeShares) = _applyToPool(report, maxIncrease, maxDecrease);
        emit ReportAccepted(report.epoch, pre, post, feeShares, report.exitedValidators, signatures.length);
        REGISTRY.distributeRewards(feeShares);
        for (uint256 i = 0; i < report.penalties.length; ++i) {
            Penalty calldata penalty = report.penalties[i];
            uint256 taken = REGISTRY.slash(penalty.operator, penalty.amount, address(0), 0);
            emit PenaltyApplied(report.epoch, penalty.operator, penalty.amount, taken);
        }
        // The rate withdrawal requests made before this reference epoch finalize at (penalties burn
        // collateral shares, which only raises it; the requests' own cap keeps them from gaining).
        _reportPooledEther = DIV_ETH.totalPooledEther();
        _reportTotalShares = DIV_ETH.totalShares();
    }

    /// @inheritdoc IAccounting
    function lastReport() external view returns (uint256 referenceTime, uint256 pooledEther, uint256 totalShares) {
        return (GENESIS_TIME + lastEpoch * SECONDS_PER_EPOCH, _reportPooledEther, _reportTotalShares);
    }

    /// @inheritdoc IAccounting
    /// @dev The same rule as reports; other contracts (DkgResultRegistry's credential confirmation) sign
    /// their own EIP-712 digests and ask here whether the signers form a quorum: the latest drawn
    /// reporting committee's, or all active seats while there are no more than K.
    function verifyQuorum(bytes32 digest, bytes[] calldata signatures) external view returns (uint256) {
        _checkQuorum(digest, signatures, latestCommitteeEpoch);
        return signatures.length;
    }

    function _checkQuorum(bytes32 digest, bytes[] calldata signatures, uint256 epoch) private view {
        (uint256 needed, bool byCommittee) = _quorumFor(epoch);
        if (needed == 0) {
            if (byCommittee) revert ReportingCommitteeNotDrawn(epoch);
            revert NoActiveOperators();
        }
        mapping(address => uint256) storage committeeSeats = _committeeSeats[epoch];
        address previous;
        uint256 weight;
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotSorted(i);
            uint256 seats = REGISTRY.votingWeightOf(signer);
            if (seats == 0) revert NotActiveOperator(signer, i);
            if (byCommittee) {
                // Its seats in the sample (as many as were drawn), not all it holds.
                seats = committeeSeats[signer];
                if (seats == 0) revert NotInReportingCommittee(signer, i);
            }
            weight += seats;
            previous = signer;
        }
        if (weight < needed) revert QuorumNotReached(weight, needed);
    }

    function _applyToPool(Report calldata report, uint256 maxIncrease, uint256 maxDecrease)
        private
        returns (uint256 pre, uint256 post, uint256 feeShares)
    {
        uint256 feeBps = REGISTRY.activeSeats() > 0 ? OPERATOR_FEE_BPS : 0;
        uint256 maxReceived = _maxReceived(report, maxIncrease);
        (pre, post, feeShares) = DIV_ETH.applyReport(
            report.clBalance,
            report.clDepositedEther,
            report.withdrawnEther,
            report.elRewards,
            feeBps,
            address(REGISTRY),
            maxReceived
        );
        uint256 limit = post > pre ? maxIncrease : maxDecrease;
        uint256 change = post > pre ? post - pre : pre - post;
        if (change > limit) revert ChangeOutOfBounds(pre, post, limit);
    }
}
