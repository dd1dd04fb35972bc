/**
 * Binary min-heap of timed events; ties break by insertion order, so runs are deterministic. Times,
 * sequence numbers and items live in parallel arrays (no node object per event).
 */
export class EventQueue<T> {
  private readonly ats: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, item: T): void {
    const { ats, seqs, items } = this;
    const seq = this.seq++;
    // Sift up through a hole: parents move down until the new event's place is found.
    let i = items.length;
    ats.push(at);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pa = ats[p]!;
      if (pa < at || (pa === at && seqs[p]! < seq)) break;
      ats[i] = pa;
      seqs[i] = seqs[p]!;
      items[i] = items[p]!;
      i = p;
    }
    ats[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Time of the earliest event (Infinity when empty). */
  nextAt(): number {
    return this.items.length > 0 ? this.ats[0]! : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest event's item (undefined when empty). */
  take(): T | undefined {
    const { ats, seqs, items } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    const at = ats.pop()!;
    const seq = seqs.pop()!;
    const item = items.pop()!;
    const size = items.length;
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
        items[i] = items[c]!;
        i = c;
      }
      ats[i] = at;
      seqs[i] = seq;
      items[i] = item;
    }
    return top;
  }

  /** The earliest event with its time. */
  pop(): { readonly at: number; readonly item: T } | undefined {
    if (this.items.length === 0) return undefined;
    const at = this.ats[0]!;
    return { at, item: this.take()! };
  }
}
