// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

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
        Penalty[] penalties;
    }

    bytes32 public constant PENALTY_TYPEHASH = keccak256("Penalty(address operator,uint256 amount)");
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(uint256 epoch,uint256 clBalance,uint256 clDepositedEther,uint256 exitedValidators,Penalty[] penalties)"
        "Penalty(address operator,uint256 amount)"
    );
    uint256 public constant MAX_PENALTIES = 64;
    /// Largest annual increase cap accepted at deployment (1,000% a year).
    uint256 public constant MAX_ANNUAL_INCREASE_LIMIT_BPS = 100_000;

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

    uint256 public lastEpoch;
    uint256 public exitedValidators;

    event ReportAccepted(
        uint256 indexed epoch,
        uint256 preTotalEther,
        uint256 postTotalEther,
        uint256 operatorFeeShares,
        uint256 exitedValidators,
        uint256 signers
    );
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
    error ChangeOutOfBounds(uint256 preTotalEther, uint256 postTotalEther, uint256 maxChange);

    constructor(
        IDivETH divEth,
        OperatorRegistry registry,
        Frames memory frames,
        uint256 maxAnnualIncreaseBps,
        uint256 maxDailyDecreaseBps,
        uint256 operatorFeeBps
    ) EIP712("Diva Accounting", "1") {
        if (address(divEth) == address(0) || address(registry) == address(0)) revert ZeroAddress();
        if (maxAnnualIncreaseBps > MAX_ANNUAL_INCREASE_LIMIT_BPS) revert InvalidBps(maxAnnualIncreaseBps);
        if (maxDailyDecreaseBps > 10_000) revert InvalidBps(maxDailyDecreaseBps);
        if (operatorFeeBps > 10_000) revert InvalidBps(operatorFeeBps);
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
        lastEpoch = frames.initialEpoch;
    }

    /// @notice The beacon epoch now (by the block's timestamp).
    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - GENESIS_TIME) / SECONDS_PER_EPOCH;
    }

    /// @notice The reference epoch of the current frame: the latest epoch a report may name now.
    function currentReferenceEpoch() external view returns (uint256) {
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
                    keccak256(abi.encodePacked(penaltyHashes))
                )
            )
        );
    }

    /// @notice Voting weight needed now: ceil(2/3 of the seats held by active operators). An operator
    /// votes with its seats (each backed by one seat's collateral), never with its head: splitting
    /// collateral over many registrations buys no extra vote.
    function quorum() public view returns (uint256) {
        uint256 seats = REGISTRY.activeSeats();
        return (seats * 2 + 2) / 3;
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
        _checkQuorum(reportDigest(report), signatures);

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
    }

    /// @inheritdoc IAccounting
    /// @dev The same rule as reports; other contracts (DkgResultRegistry's credential confirmation) sign
    /// their own EIP-712 digests and ask here whether the signers form a quorum.
    function verifyQuorum(bytes32 digest, bytes[] calldata signatures) external view returns (uint256) {
        _checkQuorum(digest, signatures);
        return signatures.length;
    }

    function _checkQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 needed = quorum();
        if (needed == 0) revert NoActiveOperators();
        address previous;
        uint256 weight;
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotSorted(i);
            uint256 seats = REGISTRY.votingWeightOf(signer);
            if (seats == 0) revert NotActiveOperator(signer, i);
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
            report.clBalance, report.clDepositedEther, feeBps, address(REGISTRY), maxReceived
        );
        uint256 limit = post > pre ? maxIncrease : maxDecrease;
        uint256 change = post > pre ? post - pre : pre - post;
        if (change > limit) revert ChangeOutOfBounds(pre, post, limit);
    }
}
