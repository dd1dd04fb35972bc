// The operator-network frame of an Accounting report and its signature (./reports.ts), a kind of its
// own (0x21; the committee signer uses 1-4, the DKG 0x10, the chain statements 0x20):
//
//   0x21 0x01 epoch:32 clBalance:32 clDepositedEther:32 exitedValidators:32 withdrawnEther:32
//        elRewards:32 penalties:u8 (operator:20 amount:32)*penalties signature:65 nonce:8
//
// The whole report travels with the signature, not only its digest: a receiver whose own report
// differs can then say which field differs. The network authenticates the sender; the signature is
// checked against it when counted. The nonce makes a re-sent frame new bytes (the network drops exact
// replays). Anything else (another length, more than 64 penalties) is not a report frame.
import type { BalanceReport } from '@diva-dvt/contracts';
import { type Hex, hexToBytes, toHex } from 'viem';

export const FRAME_REPORT = 0x21;
const VERSION = 1;
const WORD = 32;
const FIELDS = 6;
const PENALTY = 20 + WORD;
/** The contract's MAX_PENALTIES. */
const MAX_PENALTIES = 64;

/** A report as every member computes it (all amounts present). */
export type Report = Required<Omit<BalanceReport, 'penalties'>> & {
  readonly penalties: readonly { readonly operator: Hex; readonly amount: bigint }[];
};

export const REPORT_FIELDS = [
  'epoch',
  'clBalance',
  'clDepositedEther',
  'exitedValidators',
  'withdrawnEther',
  'elRewards',
] as const;

export function encodeReportFrame(report: Report, signature: Hex, nonce: Uint8Array): Uint8Array {
  const n = report.penalties.length;
  const out = new Uint8Array(2 + FIELDS * WORD + 1 + n * PENALTY + 65 + 8);
  out.set([FRAME_REPORT, VERSION]);
  let at = 2;
  for (const field of REPORT_FIELDS) {
    out.set(hexToBytes(toHex(report[field], { size: WORD })), at);
    at += WORD;
  }
  out[at++] = n;
  for (const p of report.penalties) {
    out.set(hexToBytes(p.operator), at);
    out.set(hexToBytes(toHex(p.amount, { size: WORD })), at + 20);
    at += PENALTY;
  }
  out.set(hexToBytes(signature), at);
  out.set(nonce.subarray(0, 8), at + 65);
  return out;
}

/** The report and its signature, or undefined when the bytes are not a well-formed report frame. */
export function decodeReportFrame(bytes: Uint8Array): { report: Report; signature: Hex } | undefined {
  if (bytes[0] !== FRAME_REPORT || bytes[1] !== VERSION) return undefined;
  const head = 2 + FIELDS * WORD;
  if (bytes.length < head + 1) return undefined;
  const n = bytes[head]!;
  if (n > MAX_PENALTIES || bytes.length !== head + 1 + n * PENALTY + 65 + 8) return undefined;
  const word = (at: number) => BigInt(toHex(bytes.subarray(at, at + WORD)));
  const values = REPORT_FIELDS.map((_, i) => word(2 + i * WORD));
  const penalties: { operator: Hex; amount: bigint }[] = [];
  let at = head + 1;
  for (let i = 0; i < n; i++, at += PENALTY) {
    penalties.push({ operator: toHex(bytes.subarray(at, at + 20)), amount: word(at + 20) });
  }
  const report = Object.fromEntries(REPORT_FIELDS.map((f, i) => [f, values[i]!])) as Omit<
    Report,
    'penalties'
  >;
  return { report: { ...report, penalties }, signature: toHex(bytes.subarray(at, at + 65)) };
}

/** The fields (and `penalties`) in which two reports differ. */
export function differingFields(a: Report, b: Report): string[] {
  const out: string[] = REPORT_FIELDS.filter((f) => a[f] !== b[f]);
  const key = (r: Report) => r.penalties.map((p) => `${p.operator.toLowerCase()}:${p.amount}`).join(',');
  if (key(a) !== key(b)) out.push('penalties');
  return out;
}
