// The report frame (src/chain/report-frame.ts): what goes out comes back, penalties included, and
// anything else is not a report frame; two reports name the fields they differ in.
import { describe, expect, it } from 'vitest';
import {
  decodeReportFrame,
  differingFields,
  encodeReportFrame,
  FRAME_REPORT,
  type Report,
} from '../../src/chain/report-frame.ts';

const report: Report = {
  epoch: 225n,
  clBalance: 64_005_936_001_000_000_000n,
  clDepositedEther: 64n * 10n ** 18n,
  exitedValidators: 1n,
  withdrawnEther: 2n ** 255n,
  elRewards: 7n,
  penalties: [
    { operator: `0x${'ab'.repeat(20)}`, amount: 10n ** 18n },
    { operator: `0x${'01'.repeat(20)}`, amount: 1n },
  ],
};
const signature = `0x${'5c'.repeat(65)}` as const;

describe('report frames', () => {
  it('round-trips a report with penalties and its signature', () => {
    const bytes = encodeReportFrame(report, signature, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(bytes[0]).toBe(FRAME_REPORT);
    expect(bytes.length).toBe(2 + 6 * 32 + 1 + 2 * 52 + 65 + 8);
    expect(decodeReportFrame(bytes)).toEqual({ report, signature });
  });

  it('refuses other kinds, versions, lengths and more than 64 penalties', () => {
    const bytes = encodeReportFrame(report, signature, new Uint8Array(8));
    const other = (k: number, v: number) => Uint8Array.from(bytes, (b, i) => (i === k ? v : b));
    expect(decodeReportFrame(other(0, 0x20))).toBeUndefined();
    expect(decodeReportFrame(other(1, 2))).toBeUndefined();
    expect(decodeReportFrame(other(2 + 6 * 32, 3))).toBeUndefined(); // says 3 penalties, holds 2
    expect(decodeReportFrame(other(2 + 6 * 32, 65))).toBeUndefined();
    expect(decodeReportFrame(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(decodeReportFrame(new Uint8Array(0))).toBeUndefined();
    const many = { ...report, penalties: Array.from({ length: 65 }, () => report.penalties[0]!) };
    expect(decodeReportFrame(encodeReportFrame(many, signature, new Uint8Array(8)))).toBeUndefined();
  });

  it('names the differing fields', () => {
    expect(differingFields(report, { ...report })).toEqual([]);
    expect(differingFields(report, { ...report, clBalance: 1n, elRewards: 0n, penalties: [] })).toEqual([
      'clBalance',
      'elRewards',
      'penalties',
    ]);
  });
});
