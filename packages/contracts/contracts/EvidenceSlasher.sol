// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BLS12381} from "./bls/BLS12381.sol";
import {BeaconSsz} from "./ssz/BeaconSsz.sol";
import {IDkgResultRegistry} from "./DkgResultRegistry.sol";
import {ExitRequests} from "./ExitRequests.sol";
import {ICommitteeDraw} from "./interfaces/ICommitteeDraw.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/// @title EvidenceSlasher: permissionless proofs of operator misbehaviour, with no trusted party.
/// @notice Two kinds of evidence:
/// (a) a key share that signed two slashable-conflicting messages for one validator: two attestation datas
///     (double vote: same target epoch, different data; surround vote) or two block headers (same slot and
///     proposer, different header). The contract recomputes both signing roots (SSZ, SHA-256; domain from the
///     fork version at the message's epoch and the genesis validators root), checks the conflict rule and
///     verifies both partial signatures against that share's public share, recorded (as a hash of all n) when
///     the DKG result was accepted.
/// (b) a consensus leader that signed two different proposals for one instance and round: two EIP-712
///     signatures of `Proposal(bytes32 instance,uint64 round,bytes32 valueRoot)` by its operator key under
///     this contract's domain (name "DivaConsensus", version "1").
/// Valid evidence slashes `slashAmount` of the operator's collateral (`reporterBps` of it to the reporter),
/// ejects the operator, and draws its replacement in the committee (emitting `ReshareRequested`). When no
/// replacement can be drawn, or when more than f = n - t members of one committee have been ejected (their
/// old shares could then outnumber what the committee tolerates), the validator's exit is requested.
contract EvidenceSlasher is EIP712, ReentrancyGuardTransient {
    bytes32 public constant PROPOSAL_TYPEHASH = keccak256("Proposal(bytes32 instance,uint64 round,bytes32 valueRoot)");
    uint64 internal constant SLOTS_PER_EPOCH = 32;
    /// Gas given to CommitteeDraw.drawReplacement. The call gets exactly this much, and the evidence is refused
    /// when less is left: otherwise a reporter could starve the call of gas so that it fails and the catch
    /// requests the validator's exit instead of a replacement.
    uint256 public constant REPLACEMENT_GAS = 1_500_000;

    uint8 public constant KIND_DOUBLE_VOTE = 1;
    uint8 public constant KIND_SURROUND_VOTE = 2;
    uint8 public constant KIND_DOUBLE_PROPOSAL = 3;
    uint8 public constant KIND_EQUIVOCATING_LEADER = 4;

    IDkgResultRegistry public immutable results;
    IOperatorRegistry public immutable registry;
    ICommitteeDraw public immutable draw;
    ExitRequests public immutable exits;
    bytes32 public immutable genesisValidatorsRoot;
    uint256 public immutable slashAmount;
    uint256 public immutable reporterBps;

    /// Fork schedule: forkVersions[i] applies from forkEpochs[i] (ascending, forkEpochs[0] == 0).
    bytes4[] internal forkVersions;
    uint64[] internal forkEpochs;

    mapping(uint256 drawId => mapping(address operator => bool)) public punished;
    mapping(uint256 drawId => uint256) public ejectionsOf;
    /// Leader equivocations already punished, by `equivocationKey(operator, instance, round)`. A Proposal does
    /// not name a draw, so one equivocation could otherwise be proven again against every other committee of
    /// the same operator (slashed, and the reporter paid, once per committee).
    mapping(bytes32 key => bool) public equivocationPunished;

    struct PartialSignature {
        bytes signature; // 96-byte compressed G2
        bytes point; // its 256-byte uncompressed form
    }

    /// Which share signed: the validator (draw), the generation of its shares (0 = the DKG result, k = the
    /// k-th recorded resharing), the 1-based share index, and that generation's committee and n public shares.
    struct ShareRef {
        uint256 drawId;
        uint256 generation;
        uint256 shareIndex;
        address[] committee;
        bytes publicShares;
    }

    struct Proposal {
        bytes32 instance;
        uint64 round;
        bytes32 valueRoot;
    }

    event EvidenceAccepted(
        uint256 indexed drawId, address indexed operator, uint8 kind, uint256 slashedEther, address reporter
    );
    event ReshareRequested(uint256 indexed drawId, address indexed ejected, address indexed replacement);

    error BadForkSchedule();
    error UnknownValidator(uint256 drawId);
    error UnknownGeneration(uint256 drawId, uint256 generation);
    error PublicSharesMismatch(uint256 drawId);
    error CommitteeMismatch(uint256 drawId);
    error BadShareIndex(uint256 shareIndex, uint256 committeeSize);
    /// The two messages do not break the rule of `kind` (KIND_DOUBLE_VOTE for two attestations that are
    /// neither a double nor a surround vote, KIND_DOUBLE_PROPOSAL, KIND_EQUIVOCATING_LEADER).
    error NotSlashable(uint8 kind);
    error BadPartialSignature(uint256 which);
    error SignerMismatch(address first, address second);
    error NotCommitteeMember(uint256 drawId, address operator);
    error AlreadyPunished(uint256 drawId, address operator);
    error EquivocationAlreadyPunished(address operator, bytes32 instance, uint64 round);
    error InsufficientGas(uint256 left, uint256 needed);

    constructor(
        IDkgResultRegistry results_,
        IOperatorRegistry registry_,
        ICommitteeDraw draw_,
        ExitRequests exits_,
        bytes32 genesisValidatorsRoot_,
        bytes4[] memory forkVersions_,
        uint64[] memory forkEpochs_,
        uint256 slashAmount_,
        uint256 reporterBps_
    ) EIP712("DivaConsensus", "1") {
        if (forkVersions_.length == 0 || forkVersions_.length != forkEpochs_.length || forkEpochs_[0] != 0) {
            revert BadForkSchedule();
        }
        for (uint256 i = 1; i < forkEpochs_.length; i++) {
            if (forkEpochs_[i] <= forkEpochs_[i - 1]) revert BadForkSchedule();
        }
        results = results_;
        registry = registry_;
        draw = draw_;
        exits = exits_;
        genesisValidatorsRoot = genesisValidatorsRoot_;
        forkVersions = forkVersions_;
        forkEpochs = forkEpochs_;
        slashAmount = slashAmount_;
        reporterBps = reporterBps_;
    }

    // ------------------------------------------------------------------------------------------------
    // Views

    /// @notice The fork version in force at `epoch`.
    function forkVersionAt(uint64 epoch) public view returns (bytes4) {
        uint256 i = forkEpochs.length - 1;
        while (forkEpochs[i] > epoch) i--;
        return forkVersions[i];
    }

    function attestationSigningRoot(BeaconSsz.AttestationData calldata data) public view returns (bytes32) {
        bytes32 domain = BeaconSsz.computeDomain(
            BeaconSsz.DOMAIN_BEACON_ATTESTER, forkVersionAt(data.target.epoch), genesisValidatorsRoot
        );
        return BeaconSsz.signingRoot(BeaconSsz.attestationDataRoot(data), domain);
    }

    function blockHeaderSigningRoot(BeaconSsz.BeaconBlockHeader calldata header) public view returns (bytes32) {
        bytes32 domain = BeaconSsz.computeDomain(
            BeaconSsz.DOMAIN_BEACON_PROPOSER, forkVersionAt(header.slot / SLOTS_PER_EPOCH), genesisValidatorsRoot
        );
        return BeaconSsz.signingRoot(BeaconSsz.beaconBlockHeaderRoot(header), domain);
    }

    /// @notice The key under which a leader's equivocation in (`instance`, `round`) is recorded once punished.
    function equivocationKey(address operator, bytes32 instance, uint64 round) public pure returns (bytes32) {
        return keccak256(abi.encode(operator, instance, round));
    }

    /// @notice The EIP-712 digest an operator signs as leader for a proposal (see the contract notice).
    function proposalDigest(Proposal calldata p) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PROPOSAL_TYPEHASH, p.instance, p.round, p.valueRoot)));
    }

    // ------------------------------------------------------------------------------------------------
    // Evidence (a): a key share signed two conflicting beacon messages

    /// @param share the signing share: its validator, generation, index, and that generation's committee and
    /// public shares (checked against the hashes DkgResultRegistry recorded)
    function proveDoubleAttestation(
        ShareRef calldata share,
        BeaconSsz.AttestationData calldata first,
        PartialSignature calldata firstSignature,
        BeaconSsz.AttestationData calldata second,
        PartialSignature calldata secondSignature
    ) external nonReentrant {
        uint8 kind;
        if (first.target.epoch == second.target.epoch) {
            if (BeaconSsz.attestationDataRoot(first) == BeaconSsz.attestationDataRoot(second)) {
                revert NotSlashable(KIND_DOUBLE_VOTE);
            }
            kind = KIND_DOUBLE_VOTE;
        } else if (
            (first.source.epoch < second.source.epoch && second.target.epoch < first.target.epoch)
                || (second.source.epoch < first.source.epoch && first.target.epoch < second.target.epoch)
        ) {
            kind = KIND_SURROUND_VOTE;
        } else {
            revert NotSlashable(KIND_DOUBLE_VOTE);
        }
        bytes memory key = _publicShare(share);
        _verifyPartial(key, attestationSigningRoot(first), firstSignature, 1);
        _verifyPartial(key, attestationSigningRoot(second), secondSignature, 2);
        _punish(share.drawId, share.committee[share.shareIndex - 1], kind);
    }

    function proveDoubleProposal(
        ShareRef calldata share,
        BeaconSsz.BeaconBlockHeader calldata first,
        PartialSignature calldata firstSignature,
        BeaconSsz.BeaconBlockHeader calldata second,
        PartialSignature calldata secondSignature
    ) external nonReentrant {
        if (
            first.slot != second.slot || first.proposerIndex != second.proposerIndex
                || BeaconSsz.beaconBlockHeaderRoot(first) == BeaconSsz.beaconBlockHeaderRoot(second)
        ) revert NotSlashable(KIND_DOUBLE_PROPOSAL);
        bytes memory key = _publicShare(share);
        _verifyPartial(key, blockHeaderSigningRoot(first), firstSignature, 1);
        _verifyPartial(key, blockHeaderSigningRoot(second), secondSignature, 2);
        _punish(share.drawId, share.committee[share.shareIndex - 1], KIND_DOUBLE_PROPOSAL);
    }

    // ------------------------------------------------------------------------------------------------
    // Evidence (b): a leader signed two proposals for one consensus round

    function proveEquivocatingLeader(
        uint256 drawId,
        Proposal calldata first,
        bytes calldata firstSignature,
        Proposal calldata second,
        bytes calldata secondSignature
    ) external nonReentrant {
        if (first.instance != second.instance || first.round != second.round || first.valueRoot == second.valueRoot)
        {
            revert NotSlashable(KIND_EQUIVOCATING_LEADER);
        }
        (address a,,) = ECDSA.tryRecover(proposalDigest(first), firstSignature);
        (address b,,) = ECDSA.tryRecover(proposalDigest(second), secondSignature);
        if (a == address(0) || a != b) revert SignerMismatch(a, b);
        if (!_inCommittee(draw.committeeOf(drawId), a)) revert NotCommitteeMember(drawId, a);
        // One offence, punished once, whichever of the operator's committees it is submitted against.
        bytes32 key = equivocationKey(a, first.instance, first.round);
        if (equivocationPunished[key]) revert EquivocationAlreadyPunished(a, first.instance, first.round);
        equivocationPunished[key] = true;
        _punish(drawId, a, KIND_EQUIVOCATING_LEADER);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals

    function _publicShare(ShareRef calldata share) internal view returns (bytes memory) {
        uint256 drawId = share.drawId;
        if (results.stageOf(drawId) == IDkgResultRegistry.Stage.None) revert UnknownValidator(drawId);
        if (share.generation > results.generationOf(drawId)) revert UnknownGeneration(drawId, share.generation);
        (bytes32 sharesHash, bytes32 committeeHash) = results.sharesAt(drawId, share.generation);
        if (keccak256(share.publicShares) != sharesHash) revert PublicSharesMismatch(drawId);
        if (keccak256(abi.encodePacked(share.committee)) != committeeHash) revert CommitteeMismatch(drawId);
        uint256 index = share.shareIndex;
        if (index == 0 || index > share.committee.length) revert BadShareIndex(index, share.committee.length);
        return share.publicShares[(index - 1) * 48:index * 48];
    }

    function _verifyPartial(bytes memory publicShare, bytes32 root, PartialSignature calldata sig, uint256 which)
        internal
        view
    {
        if (!BLS12381.verifyCompressed(publicShare, abi.encodePacked(root), sig.signature, sig.point)) {
            revert BadPartialSignature(which);
        }
    }

    function _inCommittee(address[] memory committee, address operator) internal pure returns (bool) {
        for (uint256 i = 0; i < committee.length; i++) {
            if (committee[i] == operator) return true;
        }
        return false;
    }

    function _punish(uint256 drawId, address operator, uint8 kind) internal {
        if (punished[drawId][operator]) revert AlreadyPunished(drawId, operator);
        punished[drawId][operator] = true;
        ejectionsOf[drawId]++;
        uint256 taken = registry.slash(operator, slashAmount, msg.sender, reporterBps);
        emit EvidenceAccepted(drawId, operator, kind, taken, msg.sender);
        registry.eject(operator);
        _replaceOrExit(drawId, operator);
    }

    /// @dev Draws the replacement (ReshareRequested); requests the exit when none can be drawn or when more
    /// than f holders of this validator's shares have been ejected.
    function _replaceOrExit(uint256 drawId, address operator) internal {
        uint256 f = draw.committeeSize() - draw.threshold();
        bool exitRequested = exits.exitReasonOf(drawId) != 0;
        if (ejectionsOf[drawId] > f) {
            if (!exitRequested) exits.requestExit(drawId, exits.REASON_TOO_MANY_EJECTIONS());
            return;
        }
        // Already replaced here (ejected for evidence elsewhere, then replaced by anyone): its old share still
        // counts above, but there is no seat left to refill.
        if (!_inCommittee(draw.committeeOf(drawId), operator)) return;
        uint256 needed = REPLACEMENT_GAS + REPLACEMENT_GAS / 63 + 150_000;
        if (gasleft() < needed) revert InsufficientGas(gasleft(), needed);
        try draw.drawReplacement{gas: REPLACEMENT_GAS}(drawId, operator) returns (address replacement) {
            emit ReshareRequested(drawId, operator, replacement);
        } catch {
            if (!exitRequested) exits.requestExit(drawId, exits.REASON_NO_REPLACEMENT());
        }
    }
}
