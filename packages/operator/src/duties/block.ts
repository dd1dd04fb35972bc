// Block proposal (phase0 validator.md "Block proposal"; produceBlockV3): at the start of the slot,
// sign the RANDAO reveal (the epoch under DOMAIN_RANDAO), ask the node for a block with it, check
// that the block is for this slot and proposer, agree with the committee on one block HEADER (the
// header of the node's block is this member's candidate), and publish this member's own block with
// the group signature when the decided header is its block's (blinded blocks to the blinded route;
// from deneb on the signed block travels with its KZG proofs and blobs: electra's BlockContents,
// and fulu's with cell proofs, pass through as the node gave them). Deadline: when attestations are
// due, after which attesters have voted on another head and a block would most likely be orphaned.
//
// Why the header (issue 17): a committee mixes members running this client with members serving a
// stock validator client through the Web3Signer API, whose clients send only the header; both must
// run one consensus instance over one value type (./values.ts `blockHeaderValue`). The header's
// hash_tree_root is the block root, so the signing root and the block guard are the block's. A
// member holds only the body its own node built: when the committee decides another member's
// header, that member publishes (a built-in member here, an API member's client once it has the
// group signature) and this one ends with `other-member-publishes`, publishing nothing.
import type { ProducedBlock } from '@diva-dvt/beacon-api';
import { blockType, forkAtLeast, randaoSigningRoot, ssz } from '@diva-dvt/beacon-api/spec';
import { slotDutyDeadlineMs } from '../internal/committee-duty.ts';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { blockHeaderOf, blockHeaderValue } from './values.ts';

const equalRoots = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function proposeBlock(
  ctx: step.DutyContext,
  validatorIndex: number,
  slot: number,
  feeRecipient?: Uint8Array,
): Promise<DutyOutcome> {
  const t: step.DutyTarget<'block'> = {
    duty: 'block',
    validatorIndex,
    slot,
    dueMs: ctx.times.slotStartMs(slot),
    deadlineMs: slotDutyDeadlineMs(ctx.times, 'block', slot, ctx.spec.attestationDueBps),
  };
  return step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const epoch = ctx.times.epochOf(slot);
    const randaoReveal = await step.sign(ctx, t, 'randao-reveal', randaoSigningRoot(ctx.signing, epoch));
    const produced: ProducedBlock = await step.stage(ctx, t, 'block', 'produce', () =>
      ctx.api.produceBlock(
        {
          slot,
          randaoReveal,
          graffiti: ctx.graffiti,
          ...(feeRecipient !== undefined ? { feeRecipient } : {}),
        },
        step.callOptions(ctx, t),
      ),
    );
    const { version: fork, blinded } = produced.meta;
    const contents = !blinded && forkAtLeast(fork, 'deneb');
    const block = contents ? produced.data.block : produced.data;
    // the node's block must be this validator's at this slot (the value type's checks, which other
    // members make on this member's header): a failure here names the node's fault
    const header = await step.stage(ctx, t, 'block', 'produce', async () => {
      if (block.slot !== slot)
        throw step.unexpected('block', 'block.slot', `${block.slot}, asked for ${slot}`);
      if (block.proposerIndex !== validatorIndex) {
        throw step.unexpected(
          'block',
          'block.proposerIndex',
          `${block.proposerIndex}, not ${validatorIndex}`,
        );
      }
      return blockHeaderOf(fork, blinded, block);
    });
    // the block this member holds, by root (= its header's root)
    const ownRoot = blockType(fork, blinded).hashTreeRoot(block);
    const decided = await step.decide(
      ctx,
      t,
      'block',
      header,
      blockHeaderValue(ctx.signing, { slot, proposerIndex: validatorIndex }),
    );
    const { signature } = decided;
    const blockRoot = ssz.phase0.BeaconBlockHeader.hashTreeRoot(decided.value);
    if (!equalRoots(blockRoot, ownRoot)) {
      // Another member's block: only it holds the body (and blobs). Not a failure: the committee
      // signed a block for the slot, and that member publishes it.
      throw new step.DutyEnd({
        ...step.base(t),
        status: 'other-member-publishes',
        decided: { blockRoot, signature },
        ownBlockRoot: ownRoot,
      });
    }
    const signed = { message: block, signature };
    return step.publish(ctx, t, 'block', { fork, blinded, blockRoot, signature }, async (opts) => {
      if (blinded) await ctx.api.publishBlindedBlock({ fork, data: signed }, opts);
      else if (contents) {
        const { kzgProofs, blobs } = produced.data;
        await ctx.api.publishBlock({ fork, data: { signedBlock: signed, kzgProofs, blobs } }, opts);
      } else await ctx.api.publishBlock({ fork, data: signed }, opts);
    });
  });
}
