// Block proposal (phase0 validator.md "Block proposal"; produceBlockV3): at the start of the slot,
// sign the RANDAO reveal (the epoch under DOMAIN_RANDAO), ask the node for a block with it, check
// that the block is for this slot and proposer, agree with the committee on one block (the node's is
// this member's candidate), sign its root under DOMAIN_BEACON_PROPOSER and publish it (blinded
// blocks to the blinded route; from deneb on the signed block travels with
// its KZG proofs and blobs: electra's BlockContents, and fulu's with cell proofs, pass through as the
// node gave them). Deadline: when attestations are due, after which attesters have voted
// on another head and a block would most likely be orphaned.
import type { ProducedBlock } from '@diva-dvt/beacon-api';
import { blockType, forkAtLeast, randaoSigningRoot } from '@diva-dvt/beacon-api/spec';
import { slotDutyDeadlineMs } from '../internal/committee-duty.ts';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { blockValue } from './values.ts';

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
    await step.stage(ctx, t, 'block', 'produce', async () => {
      if (block.slot !== slot)
        throw step.unexpected('block', 'block.slot', `${block.slot}, asked for ${slot}`);
      if (block.proposerIndex !== validatorIndex) {
        throw step.unexpected(
          'block',
          'block.proposerIndex',
          `${block.proposerIndex}, not ${validatorIndex}`,
        );
      }
    });
    const ownRoot = blockType(fork, blinded).hashTreeRoot(block);
    const decided = await step.decide(
      ctx,
      t,
      'block',
      block,
      blockValue(ctx.signing, { slot, proposerIndex: validatorIndex, fork, blinded }),
    );
    const { signature } = decided;
    const signed = { message: decided.value, signature };
    const blockRoot = blockType(fork, blinded).hashTreeRoot(decided.value);
    // From deneb a full block travels with its blobs, which only the member that built it holds:
    // another member's decided block is published by that member (and by the others that built it).
    const withOwnBlobs = contents && equalRoots(blockRoot, ownRoot);
    if (contents && !withOwnBlobs) {
      throw new step.DutyEnd({
        ...step.base(t),
        status: 'failed',
        error: step.unexpected(
          'block',
          'block',
          "the committee decided another member's block, whose blobs this node does not hold",
        ),
      } as DutyOutcome);
    }
    return step.publish(ctx, t, 'block', { fork, blinded, blockRoot, signature }, async (opts) => {
      if (blinded) await ctx.api.publishBlindedBlock({ fork, data: signed }, opts);
      else if (withOwnBlobs) {
        const { kzgProofs, blobs } = produced.data;
        await ctx.api.publishBlock({ fork, data: { signedBlock: signed, kzgProofs, blobs } }, opts);
      } else await ctx.api.publishBlock({ fork, data: signed }, opts);
    });
  });
}
