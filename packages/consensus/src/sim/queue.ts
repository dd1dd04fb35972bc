/**
 * Binary min-heap of timed events; ties break by insertion order, so runs are deterministic. Times,
 * sequence numbers, items and an optional number per event (`tag`) live in parallel arrays (no node
 * object per event; with the tag, the simulator needs no event object per delivery either). The
 * arrays keep their capacity across `clear`, so a queue reused for many runs stops allocating.
 */
export class EventQueue<T> {
  private readonly ats: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: (T | undefined)[] = [];
  private readonly tags: number[] = [];
  private count = 0;
  private seq = 0;
  /** The tag of the event `take` returned last. */
  takenTag = 0;

  get size(): number {
    return this.count;
  }

  /** Removes every event (keeping the arrays' capacity) and restarts the tie-break order. */
  clear(): void {
    this.items.fill(undefined, 0, this.count);
    this.count = 0;
    this.seq = 0;
  }

  push(at: number, item: T, tag = 0): void {
    const { ats, seqs, items, tags } = this;
    const seq = this.seq++;
    // Sift up through a hole: parents move down until the new event's place is found.
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pa = ats[p]!;
      if (pa < at || (pa === at && seqs[p]! < seq)) break;
      ats[i] = pa;
      seqs[i] = seqs[p]!;
      items[i] = items[p];
      tags[i] = tags[p]!;
      i = p;
    }
    ats[i] = at;
    seqs[i] = seq;
    items[i] = item;
    tags[i] = tag;
  }

  /** Time of the earliest event (Infinity when empty). */
  nextAt(): number {
    return this.count > 0 ? this.ats[0]! : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest event's item (undefined when empty); its tag in `takenTag`. */
  take(): T | undefined {
    const { ats, seqs, items, tags } = this;
    if (this.count === 0) return undefined;
    const top = items[0];
    this.takenTag = tags[0]!;
    const size = --this.count;
    const at = ats[size]!;
    const seq = seqs[size]!;
    const item = items[size];
    const tag = tags[size]!;
    items[size] = undefined;
    if (size > 0) {
      // Sift the last event down through a hole from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && (ats[r]! < ats[l]! || (ats[r] === ats[l] && seqs[r]! < seqs[l]!)) ? r : l;
        const ca = ats[c]!;
        if (ca > at || (ca === at && seqs[c]! > seq)) break;
        ats[i] = ca;
        seqs[i] = seqs[c]!;
        items[i] = items[c];
        tags[i] = tags[c]!;
        i = c;
      }
      ats[i] = at;
      seqs[i] = seq;
      items[i] = item;
      tags[i] = tag;
    }
    return top;
  }

  /** The earliest event with its time. */
  pop(): { readonly at: number; readonly item: T } | undefined {
    if (this.count === 0) return undefined;
    const at = this.ats[0]!;
    return { at, item: this.take()! };
  }
}
