// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/// @title OperatorRegistry: permissionless operators, divETH collateral, capacity-weighted selection
/// @notice An operator is its address (its secp256k1 key is also its p2p identity), an X25519 key that
/// receives encrypted DKG shares, and its p2p addresses. It locks divETH (as shares) as collateral:
/// capacity = floor(collateral value / COLLATERAL_PER_SEAT) - seats held, kept in a Fenwick tree so
/// that a capacity-weighted pick costs O(log n). Capacity is recorded when the operator's state
/// changes; `sync` refreshes it after a rebase. Seats earn `operatorFeeBps` of rewards (minted by
/// divETH to this contract) per seat, claimable in divETH.
contract OperatorRegistry is IOperatorRegistry, ReentrancyGuard {
    using Checkpoints for Checkpoints.Trace208;

    struct Operator {
        uint32 index; // 1-based position in the Fenwick tree, 0 = unregistered
        bool ejected;
        bytes32 encryptionKey;
        uint256 collateralShares;
        uint256 keyShares;
        uint256 capacity;
        uint256 rewardDebt; // keyShares * accRewardPerSeat / PRECISION at the last settlement
        uint256 rewardShares; // settled, unclaimed
        uint64 marginCallAt; // when its collateral was first found under one seat's worth per seat (0: not)
        uint256 units; // capacity + seats held while not ejected (0 once ejected): its node in the units tree
    }

    uint256 public constant MAX_P2P_ADDRESSES = 8;
    uint256 public constant MAX_P2P_ADDRESS_LENGTH = 256;
    uint256 private constant PRECISION = 1e36;
    uint8 public constant EJECT_REASON_SLASHER = 1;
    uint8 public constant EJECT_REASON_UNDERCOLLATERALIZED = 2;
    /// Collateral per seat below which an operator is ejectable at once: 90% of COLLATERAL_PER_SEAT.
    uint256 public constant EJECT_THRESHOLD_BPS = 9000;
    /// Between the threshold and one full COLLATERAL_PER_SEAT per seat, an operator has this long after a
    /// margin call to top up (or for a gain to lift its collateral) before anyone may eject it.
    uint256 public constant MARGIN_GRACE_PERIOD = 3 days;

    IDivETH public immutable DIV_ETH;
    uint256 public immutable COLLATERAL_PER_SEAT;
    address private immutable DEPLOYER;
    address public committeeDraw;
    address public accounting;
    address public evidence;

    mapping(address operator => Operator) private _operators;
    address[] private _operatorList; // index - 1 -> operator
    // Fenwick tree over capacities, 1-based, every node with its history by block number: a draw selects
    // with the weights as they were at the end of the block before its target block (`selectOperatorsAt`),
    // fixed before its seed was known. The operator count, the total and each capacity keep histories too.
    mapping(uint256 node => Checkpoints.Trace208) private _tree;
    mapping(address operator => Checkpoints.Trace208) private _capacityHistory;
    Checkpoints.Trace208 private _countHistory;
    Checkpoints.Trace208 private _totalCapacityHistory;
    // A second Fenwick tree with history over units = capacity + seats held (0 once ejected). A seat
    // reservation or release moves one unit between capacity and seats, so it leaves this tree alone:
    // the seats of a node at a past block are its units minus its capacity, and a reporting committee
    // is sampled by seats (`sampleSeatsAt`) at no extra cost to the draws.
    mapping(uint256 node => Checkpoints.Trace208) private _unitsTree;
    Checkpoints.Trace208 private _totalUnitsHistory;
    uint256 public totalUnits;
    uint256 public totalCapacity;
    uint256 public operatorsWithCapacity;
    uint256 public totalKeyShares;
    uint256 public activeOperatorCount;
    /// Seats held by operators that are not ejected: the total voting weight of reports and quorums
    /// (each seat is backed by COLLATERAL_PER_SEAT of locked collateral; head count never counts).
    uint256 public activeSeats;
    uint256 public accRewardPerSeat;
    uint256 public totalCollateralShares;
    uint256 public totalRewardShares; // allocated to operators, unclaimed

    event OperatorRegistered(address indexed operator, uint256 index, bytes32 encryptionKey, string[] p2pAddresses);
    event EncryptionKeyChanged(address indexed operator, bytes32 encryptionKey);
    event P2pAddressesChanged(address indexed operator, string[] p2pAddresses);
    event CollateralDeposited(address indexed operator, uint256 amount, uint256 shares);
    event CollateralWithdrawn(address indexed operator, uint256 amount, uint256 shares);
    event CapacityChanged(address indexed operator, uint256 capacity, uint256 keyShares);
    event SeatReserved(address indexed operator, uint256 keyShares);
    event SeatReleased(address indexed operator, uint256 keyShares);
    event OperatorSlashed(
        address indexed operator, uint256 takenEther, uint256 takenShares, address indexed reporter, uint256 reporterShares
    );
    event OperatorEjected(address indexed operator, uint8 reason);
    event MarginCall(address indexed operator, uint256 collateralEther, uint256 requiredEther, uint256 deadline);
    event MarginRestored(address indexed operator, uint256 collateralEther);
    event RewardsDistributed(uint256 feeShares, uint256 totalKeyShares, uint256 accRewardPerSeat);
    event RewardsClaimed(address indexed operator, uint256 shares);
    event Wired(address committeeDraw, address accounting, address evidence);

    error Unauthorized(address caller);
    error AlreadyWired();
    error ZeroAddress();
    error ZeroAmount(address operator);
    error AlreadyRegistered(address operator);
    error NotRegistered(address operator);
    error OperatorIsEjected(address operator);
    error InvalidEncryptionKey();
    error TooManyP2pAddresses(uint256 count, uint256 max);
    error InvalidP2pAddress(uint256 position);
    error InsufficientCollateral(address operator, uint256 collateralShares, uint256 sharesNeeded);
    error CollateralLocked(address operator, uint256 remainingEther, uint256 requiredEther);
    error NoCapacity(address operator);
    error NotUndercollateralized(address operator, uint256 collateralEther, uint256 requiredEther);
    error InGracePeriod(address operator, uint256 collateralEther, uint256 deadline);
    error NotEnoughCapacity(uint256 available, uint256 needed);
    error InvalidBps(uint256 bps);
    error NoSeat(address operator);
    error FutureBlock(uint256 blockNumber, uint256 current);

    modifier onlyDraw() {
        if (msg.sender != committeeDraw || msg.sender == address(0)) revert Unauthorized(msg.sender);
        _;
    }

    modifier onlySlasher() {
        if ((msg.sender != accounting && msg.sender != evidence) || msg.sender == address(0)) {
            revert Unauthorized(msg.sender);
        }
        _;
    }

    constructor(IDivETH divEth, uint256 collateralPerSeat) {
        if (address(divEth) == address(0)) revert ZeroAddress();
        if (collateralPerSeat == 0) revert ZeroAmount(msg.sender);
        DIV_ETH = divEth;
        COLLATERAL_PER_SEAT = collateralPerSeat;
        DEPLOYER = msg.sender;
    }

    /// @notice One-time wiring by the deployer. `evidence` may slash and eject besides accounting.
    function wire(address committeeDraw_, address accounting_, address evidence_) external {
        if (msg.sender != DEPLOYER) revert Unauthorized(msg.sender);
        if (committeeDraw != address(0)) revert AlreadyWired();
        if (committeeDraw_ == address(0) || accounting_ == address(0) || evidence_ == address(0)) revert ZeroAddress();
        committeeDraw = committeeDraw_;
        accounting = accounting_;
        evidence = evidence_;
        emit Wired(committeeDraw_, accounting_, evidence_);
    }

    // ---------------------------------------------------------------- operator actions

    function register(bytes32 encryptionKey, string[] calldata p2pAddresses) external {
        Operator storage op = _operators[msg.sender];
        if (op.index != 0) revert AlreadyRegistered(msg.sender);
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        _checkP2pAddresses(p2pAddresses);
        _operatorList.push(msg.sender);
        uint256 index = _operatorList.length;
        op.index = uint32(index);
        op.encryptionKey = encryptionKey;
        // Fenwick append: node i covers (i - lowbit(i), i]; capacity starts at 0, so it holds the
        // sum of the nodes it covers below i.
        uint256 low = index & (~index + 1);
        _tree[index].push(uint48(block.number), uint208(_prefix(_tree, index - 1) - _prefix(_tree, index - low)));
        _unitsTree[index].push(
            uint48(block.number), uint208(_prefix(_unitsTree, index - 1) - _prefix(_unitsTree, index - low))
        );
        _countHistory.push(uint48(block.number), uint208(index));
        emit OperatorRegistered(msg.sender, index, encryptionKey, p2pAddresses);
    }

    function setEncryptionKey(bytes32 encryptionKey) external {
        Operator storage op = _registered(msg.sender);
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        op.encryptionKey = encryptionKey;
        emit EncryptionKeyChanged(msg.sender, encryptionKey);
    }

    function setP2pAddresses(string[] calldata p2pAddresses) external {
        _registered(msg.sender);
        _checkP2pAddresses(p2pAddresses);
        emit P2pAddressesChanged(msg.sender, p2pAddresses);
    }

    /// @notice Locks `amount` of divETH from the caller (approve first); credited as the shares moved,
    /// rounded down (at most 1 wei of value less than `amount`).
    function depositCollateral(uint256 amount) external nonReentrant {
        _depositCollateral(amount);
    }

    function depositCollateralWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        // A front-run permit only consumes the signature; the allowance is already there.
        try DIV_ETH.permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _depositCollateral(amount);
    }

    function _depositCollateral(uint256 amount) private {
        Operator storage op = _registered(msg.sender);
        if (op.ejected) revert OperatorIsEjected(msg.sender);
        if (amount == 0) revert ZeroAmount(msg.sender);
        // Plain ERC-20 transferFrom (allowance exactly `amount`); the shares it moves are rounded down.
        uint256 shares = DIV_ETH.getSharesByPooledEth(amount);
        if (shares == 0) revert ZeroAmount(msg.sender);
        op.collateralShares += shares;
        totalCollateralShares += shares;
        emit CollateralDeposited(msg.sender, amount, shares);
        DIV_ETH.transferFrom(msg.sender, address(this), amount);
        if (op.marginCallAt != 0) {
            uint256 value = DIV_ETH.getPooledEthByShares(op.collateralShares);
            if (value >= op.keyShares * COLLATERAL_PER_SEAT) {
                op.marginCallAt = 0;
                emit MarginRestored(msg.sender, value);
            }
        }
        _refresh(msg.sender, op);
    }

    /// @notice Withdraws divETH worth `amount` of collateral, as long as what remains backs the seats
    /// held (an ejected operator: once it holds no seat).
    function withdrawCollateral(uint256 amount) external nonReentrant {
        Operator storage op = _registered(msg.sender);
        if (amount == 0) revert ZeroAmount(msg.sender);
        uint256 shares = DIV_ETH.getSharesByPooledEthRoundUp(amount);
        if (shares > op.collateralShares) revert InsufficientCollateral(msg.sender, op.collateralShares, shares);
        uint256 remaining = DIV_ETH.getPooledEthByShares(op.collateralShares - shares);
        uint256 required = op.keyShares * COLLATERAL_PER_SEAT;
        if (remaining < required || (op.ejected && op.keyShares > 0)) {
            revert CollateralLocked(msg.sender, remaining, required);
        }
        op.collateralShares -= shares;
        totalCollateralShares -= shares;
        _refresh(msg.sender, op);
        emit CollateralWithdrawn(msg.sender, amount, shares);
        DIV_ETH.transferShares(msg.sender, shares);
    }

    /// @notice Pays the caller's rewards (divETH shares).
    function claimRewards() external nonReentrant returns (uint256 shares) {
        Operator storage op = _registered(msg.sender);
        _settle(op);
        shares = op.rewardShares;
        if (shares == 0) revert ZeroAmount(msg.sender);
        op.rewardShares = 0;
        totalRewardShares -= shares;
        emit RewardsClaimed(msg.sender, shares);
        DIV_ETH.transferShares(msg.sender, shares);
    }

    /// @notice Re-records an operator's capacity at the current divETH rate (anyone).
    function sync(address operator) external {
        _refresh(operator, _registered(operator));
    }

    /// @notice Acts on an operator whose collateral no longer backs its seats (anyone): below
    /// EJECT_THRESHOLD_BPS of one seat's collateral per seat, ejects it; between that and a full seat's
    /// worth, the first call makes a margin call (MarginCall, grace period MARGIN_GRACE_PERIOD) and a
    /// call after the grace period ejects it if it is still short. A top-up (or a gain) ends the call.
    function ejectUndercollateralized(address operator) external {
        Operator storage op = _registered(operator);
        uint256 value = DIV_ETH.getPooledEthByShares(op.collateralShares);
        uint256 required = op.keyShares * COLLATERAL_PER_SEAT;
        if (op.ejected || value >= required) {
            if (!op.ejected && op.marginCallAt != 0) {
                op.marginCallAt = 0;
                emit MarginRestored(operator, value);
                return;
            }
            revert NotUndercollateralized(operator, value, required);
        }
        if (_marginDue(operator, op, value, required)) _eject(operator, op, EJECT_REASON_UNDERCOLLATERALIZED);
    }

    /// True if an operator short of `required` must be ejected now: under the threshold, or its margin
    /// call's grace period is over. Otherwise starts the margin call (once) or reverts InGracePeriod.
    function _marginDue(address operator, Operator storage op, uint256 value, uint256 required)
        private
        returns (bool)
    {
        if (value < required * EJECT_THRESHOLD_BPS / 10_000) return true;
        if (op.marginCallAt == 0) {
            op.marginCallAt = uint64(block.timestamp);
            emit MarginCall(operator, value, required, block.timestamp + MARGIN_GRACE_PERIOD);
            return false;
        }
        uint256 deadline = op.marginCallAt + MARGIN_GRACE_PERIOD;
        if (block.timestamp < deadline) revert InGracePeriod(operator, value, deadline);
        return true;
    }

    // ---------------------------------------------------------------- system hooks

    /// @inheritdoc IOperatorRegistry
    function slash(address operator, uint256 amountEther, address reporter, uint256 reporterBps)
        external
        onlySlasher
        nonReentrant
        returns (uint256 takenEther)
    {
        Operator storage op = _registered(operator);
        if (reporterBps > 10_000) revert InvalidBps(reporterBps);
        uint256 shares = DIV_ETH.getSharesByPooledEthRoundUp(amountEther);
        if (shares > op.collateralShares) shares = op.collateralShares;
        takenEther = DIV_ETH.getPooledEthByShares(shares);
        op.collateralShares -= shares;
        totalCollateralShares -= shares;
        uint256 reporterShares = reporter == address(0) ? 0 : shares * reporterBps / 10_000;
        emit OperatorSlashed(operator, takenEther, shares, reporter, reporterShares);
        if (reporterShares > 0) DIV_ETH.transferShares(reporter, reporterShares);
        if (shares > reporterShares) DIV_ETH.burnShares(shares - reporterShares);
        uint256 left = DIV_ETH.getPooledEthByShares(op.collateralShares);
        uint256 required = op.keyShares * COLLATERAL_PER_SEAT;
        if (!op.ejected && left < required * EJECT_THRESHOLD_BPS / 10_000) {
            _eject(operator, op, EJECT_REASON_UNDERCOLLATERALIZED);
        } else {
            if (!op.ejected && left < required && op.marginCallAt == 0) {
                op.marginCallAt = uint64(block.timestamp);
                emit MarginCall(operator, left, required, block.timestamp + MARGIN_GRACE_PERIOD);
            }
            _refresh(operator, op);
        }
    }

    /// @inheritdoc IOperatorRegistry
    function eject(address operator) external onlySlasher {
        Operator storage op = _registered(operator);
        if (!op.ejected) _eject(operator, op, EJECT_REASON_SLASHER);
    }

    /// @notice Takes one seat of the operator's capacity (a committee seat). Only the committee draw.
    function reserveSeat(address operator) external onlyDraw {
        Operator storage op = _registered(operator);
        if (op.ejected || op.capacity == 0) revert NoCapacity(operator);
        _setKeyShares(op, op.keyShares + 1);
        emit SeatReserved(operator, op.keyShares);
        _refresh(operator, op);
    }

    /// @notice Gives a seat back (expired draw, exit, replacement). Only the committee draw.
    function releaseSeat(address operator) external onlyDraw {
        Operator storage op = _registered(operator);
        if (op.keyShares == 0) revert NoSeat(operator);
        _setKeyShares(op, op.keyShares - 1);
        emit SeatReleased(operator, op.keyShares);
        _refresh(operator, op);
    }

    /// @notice Credits `feeShares` (already minted to this contract) to the seats. Only accounting.
    function distributeRewards(uint256 feeShares) external {
        if (msg.sender != accounting || msg.sender == address(0)) revert Unauthorized(msg.sender);
        // Only seats of operators that are not ejected earn (an ejected operator's were settled at ejection).
        if (feeShares == 0 || activeSeats == 0) return;
        accRewardPerSeat += feeShares * PRECISION / activeSeats;
        totalRewardShares += feeShares;
        emit RewardsDistributed(feeShares, activeSeats, accRewardPerSeat);
    }

    // ---------------------------------------------------------------- selection

    /// @notice Draws `count` distinct operators, weighted by recorded capacity (now), without replacement,
    /// skipping `exclude`: pick k uses r_k = keccak256(seed, k) mod (remaining weight). Pure in the
    /// seed: the same seed and registry state give the same operators. O(count * log n * |excluded|).
    function selectOperators(bytes32 seed, uint256 count, address[] memory exclude)
        public
        view
        returns (address[] memory selected)
    {
        uint256 picked;
        (selected, picked) = _select(seed, count, exclude, LATEST);
        if (picked < count) revert NotEnoughCapacity(picked, count);
    }

    /// @notice The same selection with the weights recorded at the end of block `blockNumber` (which
    /// must be in the past): a draw uses the block before its target block, so no change made once the
    /// seed is known can move its committee. Returns fewer than `count` operators if the weight runs out.
    function selectOperatorsAt(bytes32 seed, uint256 count, uint256 blockNumber)
        external
        view
        returns (address[] memory selected)
    {
        if (blockNumber >= block.number) revert FutureBlock(blockNumber, block.number);
        uint256 picked;
        (selected, picked) = _select(seed, count, new address[](0), uint48(blockNumber));
        assembly ("memory-safe") {
            mstore(selected, picked)
        }
    }

    /// @notice Samples `count` of the seats held by operators that are not ejected, uniformly without
    /// replacement, as recorded at the end of block `blockNumber` (in the past): pick k takes
    /// r_k = keccak256(seed, k) mod (seats not yet picked) and descends the tree, so an operator appears
    /// once per sampled seat. All seats (each operator as often as its seats) when there are no more
    /// than `count`. This is a reporting committee: each entry stands for 1/length of the seats.
    /// O(count * log n * count) in memory, O(count * log n) storage reads.
    function sampleSeatsAt(bytes32 seed, uint256 count, uint256 blockNumber)
        external
        view
        returns (address[] memory members)
    {
        if (blockNumber >= block.number) revert FutureBlock(blockNumber, block.number);
        Selection memory sel;
        sel.key = uint48(blockNumber);
        sel.bySeats = true;
        sel.remaining = _at(_totalUnitsHistory, sel.key) - _at(_totalCapacityHistory, sel.key);
        if (count > sel.remaining) count = sel.remaining;
        sel.excluded = new uint256[](count);
        sel.weights = new uint256[](count);
        sel.n = _at(_countHistory, sel.key);
        sel.topStep = sel.n == 0 ? 0 : 1 << Math.log2(sel.n);
        members = new address[](count);
        for (uint256 k = 0; k < count; ++k) {
            uint256 index = _descend(uint256(keccak256(abi.encode(seed, k))) % sel.remaining, sel);
            members[k] = _operatorList[index - 1];
            _exclude(sel, index, 1);
        }
    }

    uint48 private constant LATEST = type(uint48).max;

    /// Selection state in memory: positions and weights already excluded or picked, what is left.
    struct Selection {
        uint256[] excluded;
        uint256[] weights;
        uint256 excludedCount;
        uint256 remaining;
        uint256 n;
        uint256 topStep;
        uint48 key;
        bool bySeats; // weights are seats held (units - capacity), not capacity
    }

    function _select(bytes32 seed, uint256 count, address[] memory exclude, uint48 key)
        private
        view
        returns (address[] memory selected, uint256 picked)
    {
        // Excluded positions and their weights, kept in memory so the descent reads no extra storage.
        Selection memory sel;
        sel.excluded = new uint256[](exclude.length + count);
        sel.weights = new uint256[](exclude.length + count);
        sel.remaining = _at(_totalCapacityHistory, key);
        sel.key = key;
        for (uint256 i = 0; i < exclude.length; ++i) {
            uint256 index = _operators[exclude[i]].index;
            uint256 weight = _at(_capacityHistory[exclude[i]], key);
            if (index == 0 || weight == 0) continue;
            _exclude(sel, index, weight);
        }
        selected = new address[](count);
        sel.n = _at(_countHistory, key);
        sel.topStep = sel.n == 0 ? 0 : 1 << Math.log2(sel.n);
        for (; picked < count; ++picked) {
            if (sel.remaining == 0) break;
            uint256 index = _descend(uint256(keccak256(abi.encode(seed, picked))) % sel.remaining, sel);
            address operator = _operatorList[index - 1];
            selected[picked] = operator;
            _exclude(sel, index, _at(_capacityHistory[operator], key));
        }
    }

    function _exclude(Selection memory sel, uint256 index, uint256 weight) private pure {
        sel.excluded[sel.excludedCount] = index;
        sel.weights[sel.excludedCount++] = weight;
        sel.remaining -= weight;
    }

    /// The value at the end of block `key` (the latest for LATEST); the last checkpoint first, as a draw
    /// almost always reads weights no one changed since.
    function _at(Checkpoints.Trace208 storage trace, uint48 key) private view returns (uint256) {
        (bool exists, uint48 lastKey, uint208 value) = trace.latestCheckpoint();
        if (!exists) return 0;
        if (lastKey <= key) return value;
        return trace.upperLookupRecent(key);
    }

    /// Largest pos with (prefix(pos) - excluded weight up to pos) <= r, plus one.
    function _descend(uint256 r, Selection memory sel) private view returns (uint256) {
        uint256 pos;
        uint256 acc;
        for (uint256 step = sel.topStep; step > 0; step >>= 1) {
            uint256 next = pos + step;
            if (next > sel.n) continue;
            uint256 weight = _at(_tree[next], sel.key);
            if (sel.bySeats) weight = _at(_unitsTree[next], sel.key) - weight;
            uint256 sum = acc + weight;
            for (uint256 j = 0; j < sel.excludedCount; ++j) {
                uint256 e = sel.excluded[j];
                if (e > pos && e <= next) sum -= sel.weights[j];
            }
            if (sum <= r) {
                pos = next;
                acc = sum;
            }
        }
        return pos + 1;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOperatorRegistry
    function operatorOf(address operator) external view returns (OperatorView memory view_) {
        Operator storage op = _operators[operator];
        view_ = OperatorView({
            registered: op.index != 0,
            ejected: op.ejected,
            encryptionKey: op.encryptionKey,
            collateralShares: op.collateralShares,
            collateralEther: DIV_ETH.getPooledEthByShares(op.collateralShares),
            keyShares: op.keyShares,
            capacity: op.capacity
        });
    }

    /// @notice When `operator`'s margin call ends (0: none): after it, if still short, anyone may eject it.
    function marginDeadlineOf(address operator) external view returns (uint256) {
        uint256 calledAt = _operators[operator].marginCallAt;
        return calledAt == 0 ? 0 : calledAt + MARGIN_GRACE_PERIOD;
    }

    /// @notice Whether `operator` can take a seat now (registered, not ejected, capacity left).
    function canTakeSeat(address operator) external view returns (bool) {
        Operator storage op = _operators[operator];
        return op.index != 0 && !op.ejected && op.capacity > 0;
    }

    function keySharesOf(address operator) external view returns (uint256) {
        return _operators[operator].keyShares;
    }

    function isActiveOperator(address operator) public view returns (bool) {
        Operator storage op = _operators[operator];
        return op.index != 0 && !op.ejected && op.keyShares > 0;
    }

    /// @notice Voting weight of `operator` in reports and quorums: the seats it holds (each backed by
    /// COLLATERAL_PER_SEAT of collateral) while not ejected; 0 otherwise.
    function votingWeightOf(address operator) external view returns (uint256) {
        Operator storage op = _operators[operator];
        return op.ejected ? 0 : op.keyShares;
    }

    function operatorCount() external view returns (uint256) {
        return _operatorList.length;
    }

    function operatorAt(uint256 index) external view returns (address) {
        return _operatorList[index - 1];
    }

    function pendingRewards(address operator) external view returns (uint256 shares) {
        Operator storage op = _operators[operator];
        if (op.ejected) return op.rewardShares;
        return op.rewardShares + op.keyShares * accRewardPerSeat / PRECISION - op.rewardDebt;
    }

    // ---------------------------------------------------------------- internals

    function _registered(address operator) private view returns (Operator storage op) {
        op = _operators[operator];
        if (op.index == 0) revert NotRegistered(operator);
    }

    function _checkP2pAddresses(string[] calldata p2pAddresses) private pure {
        if (p2pAddresses.length > MAX_P2P_ADDRESSES) {
            revert TooManyP2pAddresses(p2pAddresses.length, MAX_P2P_ADDRESSES);
        }
        for (uint256 i = 0; i < p2pAddresses.length; ++i) {
            uint256 length = bytes(p2pAddresses[i]).length;
            if (length == 0 || length > MAX_P2P_ADDRESS_LENGTH) revert InvalidP2pAddress(i);
        }
    }

    function _settle(Operator storage op) private {
        if (op.ejected) return; // settled at ejection: nothing accrues after it
        uint256 accrued = op.keyShares * accRewardPerSeat / PRECISION;
        op.rewardShares += accrued - op.rewardDebt;
        op.rewardDebt = accrued;
    }

    function _setKeyShares(Operator storage op, uint256 keyShares) private {
        _settle(op);
        bool wasActive = !op.ejected && op.keyShares > 0;
        totalKeyShares = totalKeyShares - op.keyShares + keyShares;
        if (!op.ejected) activeSeats = activeSeats - op.keyShares + keyShares;
        op.keyShares = keyShares;
        op.rewardDebt = keyShares * accRewardPerSeat / PRECISION;
        bool isActive = !op.ejected && keyShares > 0;
        if (wasActive && !isActive) --activeOperatorCount;
        if (!wasActive && isActive) ++activeOperatorCount;
    }

    function _eject(address operator, Operator storage op, uint8 reason) private {
        _settle(op);
        if (op.keyShares > 0) --activeOperatorCount;
        activeSeats -= op.keyShares;
        op.ejected = true;
        op.marginCallAt = 0;
        _refresh(operator, op);
        emit OperatorEjected(operator, reason);
    }

    function _refresh(address operator, Operator storage op) private {
        uint256 capacity;
        uint256 units;
        if (!op.ejected) {
            uint256 seats = DIV_ETH.getPooledEthByShares(op.collateralShares) / COLLATERAL_PER_SEAT;
            capacity = seats > op.keyShares ? seats - op.keyShares : 0;
            units = capacity + op.keyShares;
        }
        uint48 now_ = uint48(block.number);
        uint256 oldUnits = op.units;
        if (units != oldUnits) {
            op.units = units;
            totalUnits = totalUnits + units - oldUnits;
            _addToTree(_unitsTree, op.index, oldUnits, units, now_);
            _totalUnitsHistory.push(now_, uint208(totalUnits));
        }
        uint256 old = op.capacity;
        if (capacity == old) return;
        op.capacity = capacity;
        if (old == 0) ++operatorsWithCapacity;
        if (capacity == 0) --operatorsWithCapacity;
        _capacityHistory[operator].push(now_, uint208(capacity));
        totalCapacity = totalCapacity + capacity - old;
        _addToTree(_tree, op.index, old, capacity, now_);
        _totalCapacityHistory.push(now_, uint208(totalCapacity));
        emit CapacityChanged(operator, capacity, op.keyShares);
    }

    /// Moves the leaf at `index` from `old` to `value` in a Fenwick tree with history.
    function _addToTree(
        mapping(uint256 => Checkpoints.Trace208) storage tree,
        uint256 index,
        uint256 old,
        uint256 value,
        uint48 now_
    ) private {
        uint256 n = _operatorList.length;
        if (value > old) {
            uint208 delta = uint208(value - old);
            for (uint256 i = index; i <= n; i += i & (~i + 1)) tree[i].push(now_, tree[i].latest() + delta);
        } else {
            uint208 delta = uint208(old - value);
            for (uint256 i = index; i <= n; i += i & (~i + 1)) tree[i].push(now_, tree[i].latest() - delta);
        }
    }

    function _prefix(mapping(uint256 => Checkpoints.Trace208) storage tree, uint256 index)
        private
        view
        returns (uint256 sum)
    {
        for (uint256 i = index; i > 0; i -= i & (~i + 1)) sum += tree[i].latest();
    }
}
