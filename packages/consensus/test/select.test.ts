import { describe, expect, it } from 'vitest';
import {
  ConsensusError,
  createProtocolSelector,
  QBFT_PROTOCOL,
  qbftProtocol,
  ROTATIONAL_PROTOCOL,
  rotationalProtocol,
} from '../src/index.ts';
import { createMemoryGuard, createSimAuth, createSimScheme, simValueType } from '../src/sim/index.ts';

describe('protocol per duty type', () => {
  it('picks the named protocol per duty type and the default for the rest', () => {
    const select = createProtocolSelector({ default: 'rotational', byDutyType: { proposal: 'qbft' } });
    expect(select('proposal')).toBe(qbftProtocol);
    expect(select('attestation')).toBe(rotationalProtocol);
    expect(createProtocolSelector({ default: 'qbft' })('attestation')).toBe(qbftProtocol);
  });

  it('makes instances that speak the chosen protocol on the wire', () => {
    const select = createProtocolSelector({ default: 'rotational', byDutyType: { proposal: 'qbft' } });
    const value = new Uint8Array(32).fill(1);
    for (const [duty, id] of [
      ['proposal', QBFT_PROTOCOL],
      ['attestation', ROTATIONAL_PROTOCOL],
    ] as const) {
      const protocol = select(duty);
      // Member 1..16: find the round-1 leader, whose start() proposes.
      const sent = Array.from(
        { length: 16 },
        (_, i) =>
          protocol
            .create({
              n: 16,
              t: 11,
              self: i + 1,
              instance: new Uint8Array(32).fill(id),
              leaderSeed: new Uint8Array(32),
              valueType: simValueType,
              scheme: createSimScheme(16, 11, 1, i + 1),
              auth: createSimAuth(16, 1, i + 1),
              guard: createMemoryGuard(),
            })
            .start(value).messages,
      ).flat();
      expect(sent.length).toBeGreaterThan(0);
      for (const m of sent) expect(m.bytes[1]).toBe(id);
    }
  });

  it('rejects an unknown protocol with the entry that names it', () => {
    expect(() =>
      createProtocolSelector({ default: 'rotational', byDutyType: { proposal: 'pbft' as never } }),
    ).toThrow(/byDutyType\.proposal.*"pbft"/);
    expect(() => createProtocolSelector({ default: 'raft' as never })).toThrow(ConsensusError);
    expect(() => createProtocolSelector(null as never)).toThrow(/expected an object/);
    expect(() =>
      createProtocolSelector({
        default: 'qbft',
        byDutyType: { toString: 'qbft' as const, x: 'constructor' as never },
      }),
    ).toThrow(/byDutyType\.x.*"constructor"/);
  });
});
