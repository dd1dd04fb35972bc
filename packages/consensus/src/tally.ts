/**
 * Partials on one root: by member (arrays indexed by member), with the message that carried each
 * (for evidence) and whether it was checked, and the members in the order their partials arrived
 * (combination takes the first t).
 */
export class Tally<P> {
  readonly key: string;
  readonly root: Uint8Array;
  size = 0;
  readonly members: number[] = [];
  readonly partial: (P | undefined)[];
  readonly message: (Uint8Array | undefined)[];
  readonly verified: boolean[];
  constructor(key: string, root: Uint8Array, n: number) {
    this.key = key;
    this.root = root;
    // Sized once for members 1..n (they grow otherwise, a reallocation at a time).
    this.partial = new Array(n + 1).fill(undefined);
    this.message = new Array(n + 1).fill(undefined);
    this.verified = new Array(n + 1).fill(false);
  }
  has(member: number): boolean {
    return this.partial[member] !== undefined;
  }
  add(member: number, partial: P, message: Uint8Array, verified: boolean): void {
    this.partial[member] = partial;
    this.message[member] = message;
    this.verified[member] = verified;
    this.members.push(member);
    this.size++;
  }
  remove(member: number): void {
    if (this.partial[member] === undefined) return;
    this.partial[member] = undefined;
    this.message[member] = undefined;
    this.verified[member] = false;
    this.members.splice(this.members.indexOf(member), 1);
    this.size--;
  }
}
