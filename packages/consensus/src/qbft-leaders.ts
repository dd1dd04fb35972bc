/**
 * QBFT's leader order: round-robin from an offset given by the duty (the instance id's first byte,
 * predictable, as in QBFT), over the members not excluded as proven equivocators (all of them if
 * every one is). Shared by the QBFT state machine and the simulator's Byzantine strategies.
 */
export function qbftLeaderOrder(
  n: number,
  instance: Uint8Array,
  excluded: readonly number[] = [],
): readonly number[] {
  const offset = instance[0]! % n;
  const rotation = Array.from({ length: n }, (_, i) => ((offset + i) % n) + 1);
  return rotation.some((m) => !excluded.includes(m))
    ? rotation.filter((m) => !excluded.includes(m))
    : rotation;
}
