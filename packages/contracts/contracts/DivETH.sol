// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ExecutionRewardsVault} from "./ExecutionRewardsVault.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";

/// @title divETH: the Diva staking pool and its rebasing token
/// @notice Balances are internal shares times pooled ETH over total shares, so every holder's balance
/// follows the pool's rewards and losses. Pooled ETH = buffered ETH (held here) + the beacon balance of
/// the last report + ETH sent to the deposit contract that no report covers yet.
/// Rounding always favours the pool: ETH -> shares and shares -> ETH both round down, and what is
/// taken from a holder (withdrawal requests, collateral) rounds shares up.
contract DivETH is IDivETH, IERC20Metadata, EIP712, Nonces, ReentrancyGuard {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint256 public constant ETH_PER_VALIDATOR = 32 ether;
    /// Shares minted to this address at deployment so the share price can never be inflated by a
    /// first depositor (and total shares never return to zero).
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;

    address private immutable DEPLOYER;
    /// Withdrawal credentials type chosen at deployment: 0x01 (execution address) or 0x02 (compounding,
    /// EIP-7251); either way the address is this contract.
    uint8 public immutable WITHDRAWAL_CREDENTIALS_TYPE;
    /// Guardian pause (as Lido's GateSeal): GUARDIAN may pause ETH movements once, for PAUSE_DURATION, until
    /// GUARDIAN_EXPIRY; the pause ends by itself. It can stop funds moving, never take them. 0: no guardian.
    address public immutable GUARDIAN;
    uint256 public immutable GUARDIAN_EXPIRY;
    uint256 public constant PAUSE_DURATION = 7 days;
    uint256 public constant MAX_GUARDIAN_TERM = 730 days;
    uint256 public pausedUntil;
    bool public pauseUsed;
    /// The fee recipient of every pool validator, deployed with divETH (its ETH is pulled at reports).
    ExecutionRewardsVault public immutable EL_REWARDS_VAULT;
    /// Cumulative ETH withdrawn from the beacon chain to this contract that reports have counted.
    uint256 public countedWithdrawals;
    address public accounting;
    address public withdrawalQueue;
    address public committeeDraw;
    address public dkgResult;
    address public operatorRegistry;
    address public exits;
    /// EIP-7002 withdrawal request predeploy: exits are requested by the withdrawal credentials' owner.
    address public constant WITHDRAWAL_REQUEST_PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;

    mapping(address account => uint256) private _shares;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    uint256 private _totalShares;

    uint256 public bufferedEther;
    /// ETH of the buffer promised to drawn validators and not yet sent to the deposit contract.
    uint256 public reservedForDraws;
    /// Cumulative ETH sent to the deposit contract.
    uint256 public depositedEther;
    /// Of that, what the last report says the beacon chain has credited.
    uint256 public clDepositedEther;
    /// Beacon balance of all validators in the last report.
    uint256 public clBalance;
    mapping(uint256 drawId => uint256) public fundedEther;

    event Deposited(address indexed sender, uint256 amount, uint256 shares);
    event TransferShares(address indexed from, address indexed to, uint256 sharesValue);
    event SharesBurnt(address indexed account, uint256 sharesAmount, uint256 etherValue);
    event DrawReserved(uint256 indexed drawId, uint256 amount);
    event DrawReleased(uint256 indexed drawId, uint256 amount);
    event DepositFunded(uint256 indexed drawId, uint256 amount, address indexed to);
    event WithdrawalsFunded(uint256 amount, uint256 sharesBurnt);
    event Rebased(
        uint256 preTotalEther,
        uint256 postTotalEther,
        uint256 totalShares,
        uint256 feeShares,
        address indexed feeRecipient,
        uint256 receivedEther
    );
    event Wired(
        address accounting,
        address withdrawalQueue,
        address committeeDraw,
        address dkgResult,
        address operatorRegistry,
        address exits
    );
    event Paused(address indexed guardian, uint256 until);
    event Unpaused(address indexed guardian);
    event WithdrawalRequestSent(bytes pubkey, uint64 amountGwei, uint256 fee);

    /// Nothing to do: no ETH sent, no shares for it, or a zero amount; `account` is the caller.
    error ZeroAmount(address account);
    error ZeroAddress();
    error InsufficientShares(address account, uint256 shares, uint256 needed);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error PermitExpired(uint256 deadline, uint256 timestamp);
    error InvalidPermitSigner(address signer, address owner);
    error Unauthorized(address caller);
    error AlreadyWired();
    error DrawNotApproved(uint256 drawId, ICommitteeDraw.DrawStatus status);
    error DrawFundingExceeded(uint256 drawId, uint256 funded, uint256 amount);
    error InsufficientBuffer(uint256 available, uint256 needed);
    error InvalidReport(uint256 clDepositedEther, uint256 previous, uint256 depositedEther);
    error EtherTransferFailed(address to, uint256 amount);
    error InvalidPubkeyLength(uint256 length);
    /// Withdrawal credentials type other than 0x01 or 0x02.
    error BadWithdrawalCredentialsType(uint8 credentialsType);
    error WithdrawalRequestFailed(bytes pubkey, uint64 amountGwei);
    error ProtocolPaused(uint256 until);
    error InvalidGuardianTerm(uint256 termSec, uint256 max);
    error GuardianExpired(uint256 expiredAt);
    error PauseAlreadyUsed();
    error NotPaused();
    error WithdrawalsDecreased(uint256 reported, uint256 counted);
    error WithdrawalsNotReceived(uint256 reported, uint256 present);
    error ElRewardsNotInVault(uint256 reported, uint256 balance);

    modifier only(address allowed) {
        if (msg.sender != allowed || allowed == address(0)) revert Unauthorized(msg.sender);
        _;
    }

    /// @notice ETH sent with the deployment becomes shares held by DEAD forever. `credentialsType` (0x01 or
    /// 0x02) is the prefix of the withdrawal credentials every pool validator is deposited with. `guardian`
    /// (or 0 for none) may pause once within `guardianTermSec` of the deployment.
    constructor(uint8 credentialsType, address guardian, uint256 guardianTermSec) payable EIP712("divETH", "1") {
        if (msg.value == 0) revert ZeroAmount(msg.sender);
        if (credentialsType != 0x01 && credentialsType != 0x02) revert BadWithdrawalCredentialsType(credentialsType);
        if (guardian != address(0) && (guardianTermSec == 0 || guardianTermSec > MAX_GUARDIAN_TERM)) {
            revert InvalidGuardianTerm(guardianTermSec, MAX_GUARDIAN_TERM);
        }
        GUARDIAN = guardian;
        EL_REWARDS_VAULT = new ExecutionRewardsVault();
        GUARDIAN_EXPIRY = guardian == address(0) ? 0 : block.timestamp + guardianTermSec;
        WITHDRAWAL_CREDENTIALS_TYPE = credentialsType;
        DEPLOYER = msg.sender;
        bufferedEther = msg.value;
        _mintShares(DEAD, msg.value);
        emit Deposited(msg.sender, msg.value, msg.value);
    }

    /// @notice One-time wiring by the deployer (the contracts reference each other).
    function wire(
        address accounting_,
        address withdrawalQueue_,
        address committeeDraw_,
        address dkgResult_,
        address operatorRegistry_,
        address exits_
    ) external {
        if (msg.sender != DEPLOYER) revert Unauthorized(msg.sender);
        if (accounting != address(0)) revert AlreadyWired();
        if (
            accounting_ == address(0) || withdrawalQueue_ == address(0) || committeeDraw_ == address(0)
                || dkgResult_ == address(0) || operatorRegistry_ == address(0) || exits_ == address(0)
        ) revert ZeroAddress();
        accounting = accounting_;
        withdrawalQueue = withdrawalQueue_;
        committeeDraw = committeeDraw_;
        dkgResult = dkgResult_;
        operatorRegistry = operatorRegistry_;
        exits = exits_;
        emit Wired(accounting_, withdrawalQueue_, committeeDraw_, dkgResult_, operatorRegistry_, exits_);
    }

    // ---------------------------------------------------------------- guardian pause

    modifier whenNotPaused() {
        if (block.timestamp < pausedUntil) revert ProtocolPaused(pausedUntil);
        _;
    }

    /// @notice Pauses staking, draw reservations, deposits to the beacon chain and withdrawal finalization
    /// for PAUSE_DURATION (claims of finalized withdrawals, collateral and reports go on). Only the guardian,
    /// once, before GUARDIAN_EXPIRY. It ends by itself: no one can keep the protocol paused.
    function pause() external only(GUARDIAN) {
        if (block.timestamp >= GUARDIAN_EXPIRY) revert GuardianExpired(GUARDIAN_EXPIRY);
        if (pauseUsed) revert PauseAlreadyUsed();
        pauseUsed = true;
        pausedUntil = block.timestamp + PAUSE_DURATION;
        emit Paused(msg.sender, pausedUntil);
    }

    /// @notice Ends the pause early. Only the guardian.
    function unpause() external only(GUARDIAN) {
        if (block.timestamp >= pausedUntil) revert NotPaused();
        pausedUntil = block.timestamp;
        emit Unpaused(msg.sender);
    }

    function paused() external view returns (bool) {
        return block.timestamp < pausedUntil;
    }

    // ---------------------------------------------------------------- staking

    /// @notice Deposit ETH, receive divETH (shares at the current rate, rounded down).
    function deposit() public payable nonReentrant whenNotPaused returns (uint256 sharesAmount) {
        if (msg.value == 0) revert ZeroAmount(msg.sender);
        // The rate before this deposit: pooled ETH excludes msg.value.
        sharesAmount = Math.mulDiv(msg.value, _totalShares, _totalPooledEther());
        if (sharesAmount == 0) revert ZeroAmount(msg.sender);
        bufferedEther += msg.value;
        _mintShares(msg.sender, sharesAmount);
        emit Deposited(msg.sender, msg.value, sharesAmount);
        emit Transfer(address(0), msg.sender, getPooledEthByShares(sharesAmount));
        emit TransferShares(address(0), msg.sender, sharesAmount);
    }

    /// @notice Plain transfers (exits and skimmed rewards arrive here with no call at all) are counted
    /// as received ETH at the next report.
    receive() external payable {}

    function withdrawalCredentials() external view returns (bytes32) {
        return bytes32(uint256(uint160(address(this))) | (uint256(WITHDRAWAL_CREDENTIALS_TYPE) << 248));
    }

    function totalPooledEther() external view returns (uint256) {
        return _totalPooledEther();
    }

    function _totalPooledEther() private view returns (uint256) {
        return bufferedEther + clBalance + (depositedEther - clDepositedEther);
    }

    /// @notice Buffered ETH that is neither promised to a drawn validator nor owed to withdrawals.
    function availableForDraws() public view returns (uint256) {
        uint256 free = bufferedEther - reservedForDraws;
        uint256 owed = withdrawalQueue == address(0) ? 0 : IWithdrawalQueue(withdrawalQueue).unfinalizedEther();
        return free > owed ? free - owed : 0;
    }

    /// @notice Buffered ETH the withdrawal queue may take (everything not promised to a drawn validator).
    function availableForWithdrawals() public view returns (uint256) {
        return bufferedEther - reservedForDraws;
    }

    // ---------------------------------------------------------------- system hooks

    /// @notice Reserves 32 ETH of the buffer for a new draw. Only the committee draw.
    function reserveForDraw(uint256 drawId) external only(committeeDraw) whenNotPaused {
        uint256 available = availableForDraws();
        if (available < ETH_PER_VALIDATOR) revert InsufficientBuffer(available, ETH_PER_VALIDATOR);
        reservedForDraws += ETH_PER_VALIDATOR;
        emit DrawReserved(drawId, ETH_PER_VALIDATOR);
    }

    /// @notice Releases what is left of a draw's reservation (expired draw). Only the committee draw.
    /// The committee draw's state machine calls this at most once per reservation (expiry before any
    /// funding, or exit), and a redraw reserves again.
    function releaseDraw(uint256 drawId) external only(committeeDraw) {
        uint256 left = ETH_PER_VALIDATOR - fundedEther[drawId];
        reservedForDraws -= left;
        emit DrawReleased(drawId, left);
    }

    /// @inheritdoc IDivETH
    function fundDeposit(uint256 drawId, uint256 amount) external only(dkgResult) nonReentrant whenNotPaused {
        if (amount == 0) revert ZeroAmount(msg.sender);
        ICommitteeDraw.DrawStatus status = ICommitteeDraw(committeeDraw).statusOf(drawId);
        if (status != ICommitteeDraw.DrawStatus.Approved) revert DrawNotApproved(drawId, status);
        uint256 funded = fundedEther[drawId];
        if (funded + amount > ETH_PER_VALIDATOR) revert DrawFundingExceeded(drawId, funded, amount);
        fundedEther[drawId] = funded + amount;
        reservedForDraws -= amount;
        bufferedEther -= amount;
        depositedEther += amount;
        emit DepositFunded(drawId, amount, msg.sender);
        _sendEther(msg.sender, amount);
    }

    /// @notice Burns `sharesAmount` held by the queue and sends it `etherAmount` of the buffer.
    /// Only the withdrawal queue, which pays at most the shares' value.
    function fundWithdrawals(uint256 etherAmount, uint256 sharesAmount)
        external
        only(withdrawalQueue)
        nonReentrant
        whenNotPaused
    {
        uint256 available = availableForWithdrawals();
        if (available < etherAmount) revert InsufficientBuffer(available, etherAmount);
        _burnShares(msg.sender, sharesAmount);
        bufferedEther -= etherAmount;
        emit WithdrawalsFunded(etherAmount, sharesAmount);
        _sendEther(msg.sender, etherAmount);
    }

    /// @notice Sends an EIP-7002 withdrawal request for a pool validator (`amountGwei` 0 = full exit);
    /// `msg.value` is the predeploy's fee and only passes through. Only the wired exits contract: the
    /// credentials name this contract, so it must be the caller of the predeploy.
    function addWithdrawalRequest(bytes calldata pubkey, uint64 amountGwei) external payable only(exits) nonReentrant {
        if (pubkey.length != 48) revert InvalidPubkeyLength(pubkey.length);
        emit WithdrawalRequestSent(pubkey, amountGwei, msg.value);
        (bool ok,) = WITHDRAWAL_REQUEST_PREDEPLOY.call{value: msg.value}(abi.encodePacked(pubkey, amountGwei));
        if (!ok) revert WithdrawalRequestFailed(pubkey, amountGwei);
    }

    /// @notice Burns shares the caller holds (penalties from collateral). Only the operator registry.
    function burnShares(uint256 sharesAmount) external only(operatorRegistry) {
        _burnShares(msg.sender, sharesAmount);
    }

    /// @notice Applies a quorum-approved balance report for its reference epoch: the beacon balance and
    /// credited deposits are replaced; of the ETH the beacon chain withdrew here up to the reference epoch
    /// (`withdrawnEther`, cumulative) what no report counted yet joins the buffer, and so does the
    /// execution-layer rewards vault's balance at the reference epoch (`elRewards`, pulled from the vault);
    /// `feeBps` of any increase is minted as shares to `feeRecipient`. Only accounting (which checks
    /// signatures and bounds). At most `maxReceived` is counted in all (withdrawals first); the rest waits
    /// for later reports. ETH that arrives any other way (a donation here, an exit swept after the
    /// reference epoch) is not income until a report states it.
    function applyReport(
        uint256 newClBalance,
        uint256 newClDepositedEther,
        uint256 withdrawnEther,
        uint256 elRewards,
        uint256 feeBps,
        address feeRecipient,
        uint256 maxReceived
    ) external only(accounting) returns (uint256 preTotal, uint256 postTotal, uint256 feeShares) {
        if (newClDepositedEther < clDepositedEther || newClDepositedEther > depositedEther) {
            revert InvalidReport(newClDepositedEther, clDepositedEther, depositedEther);
        }
        if (withdrawnEther < countedWithdrawals) revert WithdrawalsDecreased(withdrawnEther, countedWithdrawals);
        preTotal = _totalPooledEther();
        uint256 received = withdrawnEther - countedWithdrawals;
        uint256 present = address(this).balance - bufferedEther;
        if (received > present) revert WithdrawalsNotReceived(withdrawnEther, present);
        if (received > maxReceived) received = maxReceived;
        countedWithdrawals += received;
        uint256 el = maxReceived - received;
        if (el > elRewards) el = elRewards;
        uint256 inVault = address(EL_REWARDS_VAULT).balance;
        if (el > inVault) revert ElRewardsNotInVault(elRewards, inVault);
        bufferedEther += received + el;
        clBalance = newClBalance;
        clDepositedEther = newClDepositedEther;
        postTotal = _totalPooledEther();
        if (postTotal > preTotal && feeBps > 0) {
            uint256 fee = (postTotal - preTotal) * feeBps / 10_000;
            // Shares worth `fee` after minting: s = fee * T / (post - fee).
            feeShares = Math.mulDiv(fee, _totalShares, postTotal - fee);
            if (feeShares > 0) {
                _mintShares(feeRecipient, feeShares);
                emit TransferShares(address(0), feeRecipient, feeShares);
            }
        }
        emit Rebased(preTotal, postTotal, _totalShares, feeShares, feeRecipient, received + el);
        // Counted in the buffer above; arrives through receive().
        if (el > 0) EL_REWARDS_VAULT.withdrawRewards(el);
    }

    // ---------------------------------------------------------------- shares

    function sharesOf(address account) external view returns (uint256) {
        return _shares[account];
    }

    function totalShares() external view returns (uint256) {
        return _totalShares;
    }

    function getSharesByPooledEth(uint256 ethAmount) public view returns (uint256) {
        return Math.mulDiv(ethAmount, _totalShares, _totalPooledEther());
    }

    /// @notice Shares worth at least `ethAmount` (rounded up): what to take from a holder.
    function getSharesByPooledEthRoundUp(uint256 ethAmount) public view returns (uint256) {
        return Math.mulDiv(ethAmount, _totalShares, _totalPooledEther(), Math.Rounding.Ceil);
    }

    function getPooledEthByShares(uint256 sharesAmount) public view returns (uint256) {
        return Math.mulDiv(sharesAmount, _totalPooledEther(), _totalShares);
    }

    function transferShares(address to, uint256 sharesAmount) external returns (uint256 ethAmount) {
        _transferShares(msg.sender, to, sharesAmount);
        ethAmount = getPooledEthByShares(sharesAmount);
        emit Transfer(msg.sender, to, ethAmount);
    }

    /// @notice Moves shares with an allowance counted in ETH (the shares' value, rounded up).
    function transferSharesFrom(address from, address to, uint256 sharesAmount) external returns (uint256 ethAmount) {
        ethAmount = Math.mulDiv(sharesAmount, _totalPooledEther(), _totalShares, Math.Rounding.Ceil);
        _spendAllowance(from, msg.sender, ethAmount);
        _transferShares(from, to, sharesAmount);
        emit Transfer(from, to, ethAmount);
    }

    // ---------------------------------------------------------------- ERC-20

    function name() external pure returns (string memory) {
        return "Diva staked ETH";
    }

    function symbol() external pure returns (string memory) {
        return "divETH";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function totalSupply() external view returns (uint256) {
        return _totalPooledEther();
    }

    function balanceOf(address account) external view returns (uint256) {
        return getPooledEthByShares(_shares[account]);
    }

    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transferShares(msg.sender, to, getSharesByPooledEth(amount));
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        _spendAllowance(from, msg.sender, amount);
        _transferShares(from, to, getSharesByPooledEth(amount));
        emit Transfer(from, to, amount);
        return true;
    }

    // ---------------------------------------------------------------- EIP-2612

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert PermitExpired(deadline, block.timestamp);
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert InvalidPermitSigner(signer, owner);
        _approve(owner, spender, value);
    }

    function nonces(address owner) public view override(IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals

    function _approve(address owner, address spender, uint256 amount) private {
        if (spender == address(0)) revert ZeroAddress();
        _allowances[owner][spender] = amount;
        emit Approval(owner, spender, amount);
    }

    function _spendAllowance(address owner, address spender, uint256 amount) private {
        uint256 current = _allowances[owner][spender];
        if (current != type(uint256).max) {
            if (current < amount) revert InsufficientAllowance(spender, current, amount);
            unchecked {
                _allowances[owner][spender] = current - amount;
            }
        }
    }

    function _transferShares(address from, address to, uint256 sharesAmount) private {
        if (to == address(0) || to == address(this)) revert ZeroAddress();
        uint256 balance = _shares[from];
        if (balance < sharesAmount) revert InsufficientShares(from, balance, sharesAmount);
        unchecked {
            _shares[from] = balance - sharesAmount;
        }
        _shares[to] += sharesAmount;
        emit TransferShares(from, to, sharesAmount);
    }

    function _mintShares(address to, uint256 sharesAmount) private {
        _totalShares += sharesAmount;
        _shares[to] += sharesAmount;
    }

    function _burnShares(address from, uint256 sharesAmount) private {
        uint256 balance = _shares[from];
        if (balance < sharesAmount) revert InsufficientShares(from, balance, sharesAmount);
        uint256 etherValue = getPooledEthByShares(sharesAmount);
        unchecked {
            _shares[from] = balance - sharesAmount;
        }
        _totalShares -= sharesAmount;
        emit SharesBurnt(from, sharesAmount, etherValue);
        emit TransferShares(from, address(0), sharesAmount);
    }

    function _sendEther(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert EtherTransferFailed(to, amount);
    }
}
