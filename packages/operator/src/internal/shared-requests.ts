// Requests several duties of one slot make with the same arguments (the head for every sync
// committee member, the attestation data of a committee for each of its validators, a
// subcommittee's contribution): asked once per slot and shared, so a node serving many validators
// does not multiply its beacon node's load. A failed request is forgotten, so a later duty asks again.
export class SharedRequests {
  readonly #bySlot = new Map<number, Map<string, Promise<unknown>>>();

  get<T>(slot: number, key: string, request: () => Promise<T>): Promise<T> {
    let requests = this.#bySlot.get(slot);
    if (requests === undefined) {
      requests = new Map();
      this.#bySlot.set(slot, requests);
      for (const s of this.#bySlot.keys()) if (s < slot - 2) this.#bySlot.delete(s);
    }
    const existing = requests.get(key) as Promise<T> | undefined;
    if (existing !== undefined) return existing;
    const p = request();
    requests.set(key, p);
    p.catch(() => {
      if (requests.get(key) === p) requests.delete(key);
    });
    return p;
  }
}
