/** Binary min-heap of timed events; ties break by insertion order, so runs are deterministic. */
export class EventQueue<T> {
  private readonly heap: { at: number; seq: number; item: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const node = { at, seq: this.seq++, item };
    const h = this.heap;
    // Sift up through a hole: parents move down until the node's place is found.
    let i = h.length;
    h.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (less(parent, node)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = node;
  }

  /** The earliest event (the returned object is the queue's own node: read it, do not keep it). */
  pop(): { readonly at: number; readonly item: T } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const size = h.length;
    if (size > 0) {
      // Sift down through a hole from the root with the last node.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && less(h[r]!, h[l]!) ? r : l;
        const child = h[c]!;
        if (!less(child, last)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
