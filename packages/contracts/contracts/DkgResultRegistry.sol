// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BLS12381} from "./bls/BLS12381.sol";
import {BeaconSsz} from "./ssz/BeaconSsz.sol";
import {IDepositContract} from "./DepositContract.sol";
import {IAccounting} from "./interfaces/IAccounting.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";
import {IDivETH} from "./interfaces/IDivETH.sol";

/// @title What the evidence and exit contracts read about accepted DKG results.
interface IDkgResultRegistry {
    enum Stage {
        None,
        PreDeposited, // result accepted, 1 ETH deposited, withdrawal credentials not yet confirmed
        Funded // credentials confirmed, the other 31 ETH deposited
    }

    function stageOf(uint256 drawId) external view returns (Stage);

    function pubkeyOf(uint256 drawId) external view returns (bytes memory);

    /// keccak256 of the n compressed public shares (48 bytes each, share index order) approved with the key.
    function publicSharesHashOf(uint256 drawId) external view returns (bytes32);

    /// keccak256(abi.encodePacked(committee)) of the committee that approved the result (share i = seat i-1).
    function committeeHashOf(uint256 drawId) external view returns (bytes32);

    /// Resharings recorded for the validator (0: the shares of the DKG result are the current ones).
    function generationOf(uint256 drawId) external view returns (uint256);

    /// Public shares hash and committee hash of `generation` (0 = the DKG result, k = k-th resharing).
    function sharesAt(uint256 drawId, uint256 generation)
        external
        view
        returns (bytes32 publicSharesHash, bytes32 committeeHash);

    function withdrawalCredentials() external view returns (bytes32);
}

/// @title DkgResultRegistry: accepts a committee's DKG result and deposits its validator, front-running safe.
/// @notice Flow for a draw (its committee from ICommitteeDraw):
/// 1. `submitDkgResult`: t committee members approve (EIP-712, their operator keys) the ceremony id, the
///    validator key, the hash of the n public shares and the deposit data root of a 1 ETH deposit with this
///    protocol's withdrawal credentials. The contract recomputes that root (SSZ, SHA-256), verifies the
///    threshold BLS deposit signature (EIP-2537) and deposits 1 ETH taken from the pool.
/// 2. The other 31 ETH follow only once the beacon chain shows the validator with our withdrawal
///    credentials: `confirmByProof` (an SSZ proof of the Validator record against a beacon block root read
///    from the EIP-4788 contract) or `confirmByQuorum` (operators holding ceil(2/3) of the active seats report it,
///    EIP-712; the same quorum rule as balance reports, checked by Accounting). The validator's own
///    committee alone cannot release the 31 ETH: its t key holders are exactly who could have front-run.
/// If colluding key holders front-ran the first deposit with other credentials, the 1 ETH is a top-up of
/// their validator and nothing more is sent: the loss is bounded by 1 ETH, and the proof path shows it.
contract DkgResultRegistry is IDkgResultRegistry, EIP712, ReentrancyGuardTransient {
    uint256 public constant PRE_DEPOSIT = 1 ether;
    uint256 public constant FULL_DEPOSIT = 32 ether;
    uint64 internal constant PRE_DEPOSIT_GWEI = 1e9;
    /// EIP-4788 beacon roots contract.
    address public constant BEACON_ROOTS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;
    /// The validators list: List[Validator, 2**40].
    uint256 internal constant VALIDATOR_REGISTRY_DEPTH = 40;
    /// state_root in BeaconBlockHeader (5 fields, 8 leaves): gindex 8 + 3.
    uint256 internal constant HEADER_STATE_ROOT_GINDEX = 11;

    bytes32 public constant APPROVAL_TYPEHASH = keccak256(
        "DkgApproval(uint256 drawId,bytes32 ceremonyId,bytes validatorPubkey,bytes32 publicSharesHash,bytes32 depositDataRoot)"
    );
    bytes32 public constant RESHARE_TYPEHASH = keccak256(
        "ReshareApproval(uint256 drawId,bytes32 ceremonyId,bytes validatorPubkey,bytes32 publicSharesHash,uint256 generation)"
    );
    bytes32 public constant CEREMONY_FAILURE_TYPEHASH =
        keccak256("CeremonyFailure(uint256 drawId,bytes32 ceremonyId,uint256 blockerShareIndex)");
    bytes32 public constant CONFIRMATION_TYPEHASH = keccak256(
        "WithdrawalCredentialsConfirmation(uint256 drawId,bytes validatorPubkey,uint64 validatorIndex,bytes32 withdrawalCredentials)"
    );

    ICommitteeDraw public immutable draw;
    IDivETH public immutable pool;
    /// Checks confirmation quorums (ceil(2/3) of the active seats' weight, as for reports).
    IAccounting public immutable accounting;
    IDepositContract public immutable depositContract;
    bytes32 public immutable override withdrawalCredentials;
    bytes4 public immutable genesisForkVersion;
    bytes32 public immutable depositDomain;
    /// Generalized index of `validators` in the BeaconState of the chain's fork (Electra/Fulu: 64 + 11 = 75;
    /// Deneb: 32 + 11 = 43). Changes only with a fork that adds BeaconState fields past a power of two.
    uint256 public immutable stateValidatorsGindex;

    struct Record {
        Stage stage;
        uint64 validatorIndex;
        bytes32 publicSharesHash;
        bytes32 committeeHash;
        bytes32 signatureHash;
        bytes pubkey;
    }

    /// One member's approval: its 1-based share index (its seat + 1) and its 65-byte ECDSA signature.
    struct Approval {
        uint256 shareIndex;
        bytes signature;
    }

    struct DkgResult {
        uint256 drawId;
        bytes pubkey; // 48-byte compressed G1
        bytes publicShares; // n x 48 bytes, share index order
        bytes depositSignature; // 96-byte compressed G2 over the 1 ETH DepositMessage
        bytes depositSignaturePoint; // its 256-byte uncompressed form (checked against it)
        bytes32 depositDataRoot;
    }

    struct ValidatorProof {
        uint64 timestamp; // EL block timestamp whose parent beacon block root the proof is against
        uint64 validatorIndex;
        BeaconSsz.Validator validator;
        bytes32[] branch; // validator root up to the beacon block root (3 + state depth + 1 + 40 nodes)
    }

    mapping(uint256 drawId => Record) internal records;
    /// Resharings: generation k >= 1 of a validator's shares (generation 0 lives in its Record).
    mapping(uint256 drawId => mapping(uint256 generation => bytes32)) internal reshareSharesHash;
    mapping(uint256 drawId => mapping(uint256 generation => bytes32)) internal reshareCommitteeHash;
    mapping(uint256 drawId => uint256) public override generationOf;
    mapping(bytes32 pubkeyHash => uint256 drawId) public drawOfPubkey;

    event DkgResultAccepted(
        uint256 indexed drawId, bytes pubkey, bytes32 publicSharesHash, bytes32 depositDataRoot, address submitter
    );
    event ReshareRecorded(uint256 indexed drawId, uint256 generation, bytes32 publicSharesHash, address submitter);
    event WithdrawalCredentialsConfirmed(uint256 indexed drawId, uint64 validatorIndex, bool byProof);
    event CeremonyFailed(uint256 indexed drawId, bytes32 ceremonyId, uint256 blockerShareIndex, address indexed blocker);
    event ValidatorFunded(uint256 indexed drawId, bytes pubkey, uint256 totalDeposited);

    error DrawNotAwaitingResult(uint256 drawId, ICommitteeDraw.DrawStatus status);
    error AlreadySubmitted(uint256 drawId);
    error PubkeyAlreadyUsed(bytes pubkey, uint256 drawId);
    error BadPublicShares(uint256 length, uint256 expected);
    /// The public shares don't lie on one polynomial of degree < t whose value at 0 is the validator key.
    error SharesNotOnPolynomial(uint256 drawId);
    error TooFewApprovals(uint256 given, uint256 threshold);
    error BadShareIndex(uint256 shareIndex, uint256 committeeSize);
    error DuplicateApproval(uint256 shareIndex);
    error BlockerApproved(uint256 shareIndex);
    error WrongSigner(uint256 shareIndex, address recovered, address expected);
    error DepositDataRootMismatch(bytes32 approved, bytes32 computed);
    error BadDepositSignature(uint256 drawId);
    error NotPreDeposited(uint256 drawId, Stage stage);
    error DepositSignatureMismatch(uint256 drawId);
    error BeaconRootUnavailable(uint64 timestamp);
    error ValidatorMismatch(uint256 drawId);
    error WithdrawalCredentialsMismatch(bytes32 found, bytes32 expected);
    error InvalidValidatorProof(uint256 drawId);
    error UnexpectedEther(address from, uint256 amount);
    error UnknownValidator(uint256 drawId);
    error UnknownGeneration(uint256 drawId, uint256 generation);
    error BadWithdrawalCredentials(bytes32 withdrawalCredentials);

    constructor(
        ICommitteeDraw draw_,
        IDivETH pool_,
        IAccounting accounting_,
        IDepositContract depositContract_,
        bytes32 withdrawalCredentials_,
        bytes4 genesisForkVersion_,
        uint256 stateValidatorsGindex_
    ) EIP712("DivaDkgResult", "1") {
        bytes1 prefix = withdrawalCredentials_[0];
        if ((prefix != 0x01 && prefix != 0x02) || (withdrawalCredentials_ << 8) >> 168 != 0) {
            revert BadWithdrawalCredentials(withdrawalCredentials_);
        }
        draw = draw_;
        pool = pool_;
        accounting = accounting_;
        depositContract = depositContract_;
        withdrawalCredentials = withdrawalCredentials_;
        genesisForkVersion = genesisForkVersion_;
        depositDomain = BeaconSsz.computeDomain(BeaconSsz.DOMAIN_DEPOSIT, genesisForkVersion_, bytes32(0));
        stateValidatorsGindex = stateValidatorsGindex_;
    }

    receive() external payable {
        if (msg.sender != address(pool)) revert UnexpectedEther(msg.sender, msg.value);
    }

    // ------------------------------------------------------------------------------------------------
    // Views

    /// @notice The DKG ceremony id the committee of `drawId` must use: binds approvals to chain, contract,
    /// draw, the committee itself and its round, so an approval of one committee (or of a round before an
    /// expiry and redraw, or before a blocker was replaced) can't be replayed for another.
    function ceremonyIdOf(uint256 drawId) public view returns (bytes32) {
        return keccak256(
            abi.encode(
                "diva-dkg-ceremony",
                block.chainid,
                address(this),
                drawId,
                keccak256(abi.encode(draw.committeeOf(drawId))),
                draw.roundOf(drawId)
            )
        );
    }

    /// @notice The EIP-712 digest a member signs to name the member at `blockerShareIndex` as the one
    /// that blocked the current ceremony of `drawId` (a DKG abort that names it).
    function ceremonyFailureDigest(uint256 drawId, uint256 blockerShareIndex) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(CEREMONY_FAILURE_TYPEHASH, drawId, ceremonyIdOf(drawId), blockerShareIndex))
        );
    }

    /// @notice The EIP-712 digest a member signs to approve a DKG result.
    function approvalDigest(uint256 drawId, bytes calldata pubkey, bytes32 publicSharesHash, bytes32 depositDataRoot)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    APPROVAL_TYPEHASH, drawId, ceremonyIdOf(drawId), keccak256(pubkey), publicSharesHash, depositDataRoot
                )
            )
        );
    }

    /// @notice The EIP-712 digest an active operator signs to report the validator with our withdrawal
    /// credentials (`confirmByQuorum`).
    function confirmationDigest(uint256 drawId, uint64 validatorIndex) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONFIRMATION_TYPEHASH,
                    drawId,
                    keccak256(records[drawId].pubkey),
                    validatorIndex,
                    withdrawalCredentials
                )
            )
        );
    }

    /// @notice The deposit data root of the 1 ETH deposit the committee signs and approves.
    function preDepositDataRoot(bytes calldata pubkey, bytes calldata signature) external view returns (bytes32) {
        return BeaconSsz.depositDataRoot(pubkey, withdrawalCredentials, PRE_DEPOSIT_GWEI, signature);
    }

    /// @notice The signing root of the 1 ETH DepositMessage (what the threshold signature signs).
    function preDepositSigningRoot(bytes calldata pubkey) public view returns (bytes32) {
        return BeaconSsz.signingRoot(
            BeaconSsz.depositMessageRoot(pubkey, withdrawalCredentials, PRE_DEPOSIT_GWEI), depositDomain
        );
    }

    function stageOf(uint256 drawId) external view override returns (Stage) {
        return records[drawId].stage;
    }

    function pubkeyOf(uint256 drawId) external view override returns (bytes memory) {
        return records[drawId].pubkey;
    }

    function publicSharesHashOf(uint256 drawId) external view override returns (bytes32) {
        return records[drawId].publicSharesHash;
    }

    function committeeHashOf(uint256 drawId) external view override returns (bytes32) {
        return records[drawId].committeeHash;
    }

    function sharesAt(uint256 drawId, uint256 generation)
        external
        view
        override
        returns (bytes32 publicSharesHash, bytes32 committeeHash)
    {
        if (records[drawId].stage == Stage.None) revert UnknownValidator(drawId);
        if (generation > generationOf[drawId]) revert UnknownGeneration(drawId, generation);
        if (generation == 0) return (records[drawId].publicSharesHash, records[drawId].committeeHash);
        return (reshareSharesHash[drawId][generation], reshareCommitteeHash[drawId][generation]);
    }

    /// @notice The ceremony id of the next resharing of `drawId` (generation `generationOf + 1`, by the
    /// committee as it is now: another replacement before the resharing is recorded changes it).
    function reshareCeremonyIdOf(uint256 drawId) public view returns (bytes32) {
        return keccak256(
            abi.encode(
                "diva-reshare-ceremony",
                block.chainid,
                address(this),
                drawId,
                generationOf[drawId] + 1,
                keccak256(abi.encode(draw.committeeOf(drawId)))
            )
        );
    }

    /// @notice The EIP-712 digest a member of the new committee signs to approve a resharing's public shares.
    function reshareDigest(uint256 drawId, bytes32 publicSharesHash) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    RESHARE_TYPEHASH,
                    drawId,
                    reshareCeremonyIdOf(drawId),
                    keccak256(records[drawId].pubkey),
                    publicSharesHash,
                    generationOf[drawId] + 1
                )
            )
        );
    }

    function validatorIndexOf(uint256 drawId) external view returns (uint64) {
        return records[drawId].validatorIndex;
    }

    // ------------------------------------------------------------------------------------------------
    // Actions

    /// @notice Accepts the DKG result of `result.drawId` approved by at least t of its committee, and deposits
    /// 1 ETH for the validator. Anyone may submit (typically a committee member).
    function submitDkgResult(DkgResult calldata result, Approval[] calldata approvals) external nonReentrant {
        (bytes32 sharesHash, bytes32 committeeHash) = _checkResult(result, approvals);
        uint256 drawId = result.drawId;

        // Effects
        Record storage r = records[drawId];
        r.stage = Stage.PreDeposited;
        r.publicSharesHash = sharesHash;
        r.committeeHash = committeeHash;
        r.signatureHash = keccak256(result.depositSignature);
        r.pubkey = result.pubkey;
        drawOfPubkey[keccak256(result.pubkey)] = drawId;
        emit DkgResultAccepted(drawId, result.pubkey, sharesHash, result.depositDataRoot, msg.sender);

        // Interactions
        draw.markApproved(drawId);
        pool.fundDeposit(drawId, PRE_DEPOSIT);
        depositContract.deposit{value: PRE_DEPOSIT}(
            result.pubkey, abi.encodePacked(withdrawalCredentials), result.depositSignature, result.depositDataRoot
        );
    }

    /// @notice t members (not the blocker) report that the member at `blockerShareIndex` blocked the
    /// committee's DKG: it loses that seat to an operator drawn by free capacity, and the committee starts a
    /// new ceremony (a new ceremony id, a full DKG timeout). Blocking a ceremony to reroll a committee thus
    /// costs the blocker its seat and rerolls nothing but that seat. Anyone may submit.
    function reportFailedCeremony(uint256 drawId, uint256 blockerShareIndex, Approval[] calldata approvals)
        external
        nonReentrant
    {
        ICommitteeDraw.DrawStatus status = draw.statusOf(drawId);
        if (status != ICommitteeDraw.DrawStatus.Drawn) revert DrawNotAwaitingResult(drawId, status);
        address[] memory committee = draw.committeeOf(drawId);
        if (blockerShareIndex == 0 || blockerShareIndex > committee.length) {
            revert BadShareIndex(blockerShareIndex, committee.length);
        }
        bytes32 ceremonyId = ceremonyIdOf(drawId);
        _checkApprovals(ceremonyFailureDigest(drawId, blockerShareIndex), committee, approvals);
        for (uint256 i = 0; i < approvals.length; i++) {
            if (approvals[i].shareIndex == blockerShareIndex) revert BlockerApproved(blockerShareIndex);
        }
        address blocker = committee[blockerShareIndex - 1];
        emit CeremonyFailed(drawId, ceremonyId, blockerShareIndex, blocker);
        draw.replaceBlocker(drawId, blocker);
    }

    /// @dev Every check of a submitted result; returns the public shares hash and the committee hash.
    function _checkResult(DkgResult calldata result, Approval[] calldata approvals)
        internal
        view
        returns (bytes32 sharesHash, bytes32 committeeHash)
    {
        uint256 drawId = result.drawId;
        if (records[drawId].stage != Stage.None) revert AlreadySubmitted(drawId);
        ICommitteeDraw.DrawStatus status = draw.statusOf(drawId);
        if (status != ICommitteeDraw.DrawStatus.Drawn) revert DrawNotAwaitingResult(drawId, status);
        uint256 usedBy = drawOfPubkey[keccak256(result.pubkey)];
        if (usedBy != 0) revert PubkeyAlreadyUsed(result.pubkey, usedBy);
        address[] memory committee = draw.committeeOf(drawId);
        if (result.publicShares.length != committee.length * 48) {
            revert BadPublicShares(result.publicShares.length, committee.length * 48);
        }
        sharesHash = keccak256(result.publicShares);
        committeeHash = keccak256(abi.encodePacked(committee));
        if (!BLS12381.sharesInterpolate(result.pubkey, result.publicShares, draw.threshold())) {
            revert SharesNotOnPolynomial(drawId);
        }
        _checkApprovals(
            approvalDigest(drawId, result.pubkey, sharesHash, result.depositDataRoot), committee, approvals
        );
        bytes32 computed = BeaconSsz.depositDataRoot(
            result.pubkey, withdrawalCredentials, PRE_DEPOSIT_GWEI, result.depositSignature
        );
        if (computed != result.depositDataRoot) revert DepositDataRootMismatch(result.depositDataRoot, computed);
        if (
            !BLS12381.verifyCompressed(
                result.pubkey,
                abi.encodePacked(preDepositSigningRoot(result.pubkey)),
                result.depositSignature,
                result.depositSignaturePoint
            )
        ) revert BadDepositSignature(drawId);
    }

    /// @notice Records the public shares of a resharing (same validator key, new shares, typically after a
    /// member was replaced): t members of the draw's current committee approve them (EIP-712
    /// `ReshareApproval`). The evidence contract then accepts proofs against these shares too; earlier
    /// generations stay valid for evidence about shares their holders still have.
    function recordReshare(uint256 drawId, bytes calldata publicShares, Approval[] calldata approvals)
        external
        nonReentrant
    {
        if (records[drawId].stage == Stage.None) revert UnknownValidator(drawId);
        address[] memory committee = draw.committeeOf(drawId);
        if (publicShares.length != committee.length * 48) {
            revert BadPublicShares(publicShares.length, committee.length * 48);
        }
        bytes32 sharesHash = keccak256(publicShares);
        if (!BLS12381.sharesInterpolate(records[drawId].pubkey, publicShares, draw.threshold())) {
            revert SharesNotOnPolynomial(drawId);
        }
        _checkApprovals(reshareDigest(drawId, sharesHash), committee, approvals);
        uint256 generation = generationOf[drawId] + 1;
        generationOf[drawId] = generation;
        reshareSharesHash[drawId][generation] = sharesHash;
        reshareCommitteeHash[drawId][generation] = keccak256(abi.encodePacked(committee));
        emit ReshareRecorded(drawId, generation, sharesHash, msg.sender);
    }

    /// @notice A quorum of all active operators (at least ceil(2/3) of the active seats' weight, ascending
    /// signer order, the rule of balance reports) reports the validator in the beacon state with our withdrawal credentials;
    /// the other 31 ETH are deposited. Not the committee alone: its t members hold the key and could have
    /// front-run the first deposit. `depositSignature` is the signature submitted with the result (a
    /// top-up's signature is not checked by the beacon chain; we reuse the original). Anyone may submit.
    function confirmByQuorum(
        uint256 drawId,
        uint64 validatorIndex,
        bytes calldata depositSignature,
        bytes[] calldata signatures
    ) external nonReentrant {
        _requirePreDeposited(drawId, depositSignature);
        accounting.verifyQuorum(confirmationDigest(drawId, validatorIndex), signatures);
        _fund(drawId, validatorIndex, depositSignature, false);
    }

    /// @notice Proves with EIP-4788 that the beacon state holds the validator with our withdrawal credentials,
    /// then deposits the other 31 ETH. Anyone may call.
    function confirmByProof(uint256 drawId, bytes calldata depositSignature, ValidatorProof calldata proof)
        external
        nonReentrant
    {
        _requirePreDeposited(drawId, depositSignature);
        (bool ok, bytes memory ret) = BEACON_ROOTS.staticcall(abi.encode(uint256(proof.timestamp)));
        if (!ok || ret.length != 32) revert BeaconRootUnavailable(proof.timestamp);
        bytes32 beaconRoot = abi.decode(ret, (bytes32));
        if (keccak256(proof.validator.pubkey) != keccak256(records[drawId].pubkey)) revert ValidatorMismatch(drawId);
        // an index past the list's depth would reach into the length mix-in
        if (proof.validatorIndex >> VALIDATOR_REGISTRY_DEPTH != 0) revert InvalidValidatorProof(drawId);
        if (proof.validator.withdrawalCredentials != withdrawalCredentials) {
            revert WithdrawalCredentialsMismatch(proof.validator.withdrawalCredentials, withdrawalCredentials);
        }
        if (
            !BeaconSsz.verifyBranch(
                BeaconSsz.validatorRoot(proof.validator),
                proof.branch,
                validatorGindex(proof.validatorIndex),
                beaconRoot
            )
        ) revert InvalidValidatorProof(drawId);
        _fund(drawId, proof.validatorIndex, depositSignature, true);
    }

    /// @notice Generalized index of validators[index] under a beacon block root:
    /// block header -> state_root -> validators -> list data (left of the length mix-in) -> element.
    function validatorGindex(uint64 index) public view returns (uint256) {
        uint256 stateDepth = _log2(stateValidatorsGindex);
        uint256 g = HEADER_STATE_ROOT_GINDEX;
        g = (g << stateDepth) | (stateValidatorsGindex - (1 << stateDepth));
        g = g << 1; // data root is the left child of the list root
        return (g << VALIDATOR_REGISTRY_DEPTH) | index;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals

    function _requirePreDeposited(uint256 drawId, bytes calldata depositSignature) internal view {
        Record storage r = records[drawId];
        if (r.stage != Stage.PreDeposited) revert NotPreDeposited(drawId, r.stage);
        if (keccak256(depositSignature) != r.signatureHash) revert DepositSignatureMismatch(drawId);
    }

    function _fund(uint256 drawId, uint64 validatorIndex, bytes calldata depositSignature, bool byProof) internal {
        Record storage r = records[drawId];
        r.stage = Stage.Funded;
        r.validatorIndex = validatorIndex;
        bytes memory pubkey = r.pubkey;
        uint256 amount = FULL_DEPOSIT - PRE_DEPOSIT;
        bytes32 root =
            BeaconSsz.depositDataRoot(pubkey, withdrawalCredentials, uint64(amount / 1 gwei), depositSignature);
        emit WithdrawalCredentialsConfirmed(drawId, validatorIndex, byProof);
        emit ValidatorFunded(drawId, pubkey, FULL_DEPOSIT);
        pool.fundDeposit(drawId, amount);
        depositContract.deposit{value: amount}(pubkey, abi.encodePacked(withdrawalCredentials), depositSignature, root);
    }

    /// @dev Requires >= t approvals of `digest` by distinct members of `committee`, each at its own seat.
    function _checkApprovals(bytes32 digest, address[] memory committee, Approval[] calldata approvals) internal view {
        uint256 t = draw.threshold();
        if (approvals.length < t) revert TooFewApprovals(approvals.length, t);
        uint256 seen;
        for (uint256 i = 0; i < approvals.length; i++) {
            uint256 index = approvals[i].shareIndex;
            if (index == 0 || index > committee.length) revert BadShareIndex(index, committee.length);
            uint256 bit = 1 << index;
            if (seen & bit != 0) revert DuplicateApproval(index);
            seen |= bit;
            (address recovered,,) = ECDSA.tryRecover(digest, approvals[i].signature);
            if (recovered != committee[index - 1]) revert WrongSigner(index, recovered, committee[index - 1]);
        }
    }

    function _log2(uint256 x) internal pure returns (uint256 r) {
        while (x > 1) {
            x >>= 1;
            r++;
        }
    }
}
