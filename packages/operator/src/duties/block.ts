// Block proposal (phase0 validator.md "Block proposal"; produceBlockV3): at the start of the slot,
// sign the RANDAO reveal (the epoch under DOMAIN_RANDAO), ask the node for a block with it, check
// that the block is for this slot and proposer, sign the block root under DOMAIN_BEACON_PROPOSER
// and publish it (blinded blocks to the blinded route; from deneb on the signed block travels with
// its KZG proofs and blobs). Deadline: when attestations are due, after which attesters have voted
// on another head and a block would most likely be orphaned.
import type { ProducedBlock } from '@diva-dvt/beacon-api';
import { blockSigningRoot, blockType, forkAtLeast, randaoSigningRoot } from '@diva-dvt/beacon-api/spec';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';

export function proposeBlock(
  ctx: step.DutyContext,
  validatorIndex: number,
  slot: number,
): Promise<DutyOutcome> {
  const t: step.DutyTarget<'block'> = {
    duty: 'block',
    validatorIndex,
    slot,
    dueMs: ctx.times.slotStartMs(slot),
    deadlineMs: ctx.times.atBps(slot, ctx.spec.attestationDueBps),
  };
  return step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const epoch = ctx.times.epochOf(slot);
    const randaoReveal = await step.sign(ctx, t, 'randao-reveal', randaoSigningRoot(ctx.signing, epoch));
    const produced: ProducedBlock = await step.stage(ctx, t, 'block', 'produce', () =>
      ctx.api.produceBlock({ slot, randaoReveal, graffiti: ctx.graffiti }, step.callOptions(ctx, t)),
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
    const signature = await step.sign(ctx, t, 'block', blockSigningRoot(ctx.signing, block, { blinded }));
    const signed = { message: block, signature };
    const blockRoot = blockType(fork, blinded).hashTreeRoot(block);
    return step.publish(ctx, t, 'block', { fork, blinded, blockRoot, signature }, async (opts) => {
      if (blinded) await ctx.api.publishBlindedBlock({ fork, data: signed }, opts);
      else if (contents) {
        const { kzgProofs, blobs } = produced.data;
        await ctx.api.publishBlock({ fork, data: { signedBlock: signed, kzgProofs, blobs } }, opts);
      } else await ctx.api.publishBlock({ fork, data: signed }, opts);
    });
  });
}
