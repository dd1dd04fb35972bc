/**
 * Buffers for outgoing messages. A typed array over 64 bytes costs about a microsecond on its own
 * (its memory lives outside the JS heap); a view into a slab costs a tenth of that, and a message is
 * built in place in one such view. An allocator belongs to one caller: an instance makes its own
 * unless its parameters hand it one (the simulator shares one among the members it simulates).
 */
import { ConsensusError } from './errors.ts';

export interface MessageAllocator {
  /**
   * A zeroed byte array of `length`: for short ones a view into a slab that other views share
   * (`.buffer` holds other data too; copy the bytes before transferring it). Slab memory is never
   * reused, so a view stays valid as long as it is held.
   */
  allocate(length: number): Uint8Array;
  /**
   * Room reserved after a message body for its signature: the length of the last signature made
   * (a wrong guess costs one copy of the message, and updates it).
   */
  signatureBytes: number;
}

/** Slab size of `createMessageAllocator` by default, and of an instance's own allocator. */
const DEFAULT_SLAB_BYTES = 16 * 1024;
const INSTANCE_SLAB_BYTES = 4 * 1024;

class SlabAllocator implements MessageAllocator {
  signatureBytes = 0;
  private readonly slabBytes: number;
  /** Longer arrays get their own memory. */
  private readonly largest: number;
  private slab: ArrayBuffer | undefined;
  private used = 0;
  constructor(slabBytes: number) {
    this.slabBytes = slabBytes;
    this.largest = Math.min(2048, slabBytes >> 1);
  }
  allocate(length: number): Uint8Array {
    if (length > this.largest) return new Uint8Array(length);
    let slab = this.slab;
    if (slab === undefined || this.used + length > this.slabBytes) {
      slab = new ArrayBuffer(this.slabBytes);
      this.slab = slab;
      this.used = 0;
    }
    const out = new Uint8Array(slab, this.used, length);
    // Eight-byte steps keep every view aligned (for readers that make wider views).
    this.used += (length + 7) & ~7;
    return out;
  }
}

/**
 * An allocator to share among the instances of one caller (`ConsensusParameters.allocator`), so
 * that short-lived instances do not each start a slab. `slabBytes` (default 16 KiB, at least 256).
 */
export function createMessageAllocator(options: { readonly slabBytes?: number } = {}): MessageAllocator {
  const slabBytes = options.slabBytes ?? DEFAULT_SLAB_BYTES;
  if (!Number.isInteger(slabBytes) || slabBytes < 256 || slabBytes > 1 << 24)
    throw new ConsensusError({
      code: 'INVALID_PARAMETER',
      field: 'slabBytes',
      expected: 'an integer from 256 to 16 MiB',
      actual: String(slabBytes),
    });
  return new SlabAllocator(slabBytes);
}

/** An instance's own allocator, when its parameters hand it none. */
export function instanceAllocator(): MessageAllocator {
  return new SlabAllocator(INSTANCE_SLAB_BYTES);
}
