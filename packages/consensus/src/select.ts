/**
 * Choosing the protocol per duty type: a committee-wide policy (every member must use the same one,
 * or their messages fail the protocol check and are dropped as `wrong-instance`). For example the
 * rotational protocol for attestations, where latency matters, and QBFT for block proposals, where
 * an equivocating leader must not cost the slot.
 */
import { ConsensusError } from './errors.ts';
import type { ProtocolDescriptor } from './protocol.ts';
import { qbftProtocol } from './qbft.ts';
import { rotationalProtocol } from './rotational.ts';

export type ProtocolName = 'rotational' | 'qbft';

export interface ProtocolPolicy {
  /** Protocol for duty types the policy does not name. */
  readonly default: ProtocolName;
  /** Protocol per duty type (the runtime's names: 'attestation', 'proposal', ...). */
  readonly byDutyType?: Readonly<Record<string, ProtocolName>>;
}

const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolDescriptor>> = {
  rotational: rotationalProtocol,
  qbft: qbftProtocol,
};

function invalid(field: string, problem: string): ConsensusError {
  return new ConsensusError({ code: 'INVALID_POLICY', field, problem });
}

function lookup(name: unknown, field: string): ProtocolDescriptor {
  if (typeof name !== 'string' || !Object.hasOwn(PROTOCOLS, name))
    throw invalid(field, `unknown protocol ${JSON.stringify(name)} (expected "rotational" or "qbft")`);
  return PROTOCOLS[name as ProtocolName];
}

/**
 * Checks a policy (typically read from configuration) and returns the selector: duty type to the
 * protocol descriptor whose `create` makes the instance. Throws a `ConsensusError` (code
 * `INVALID_POLICY`) whose `details.field` names the offending entry.
 */
export function createProtocolSelector(policy: ProtocolPolicy): (dutyType: string) => ProtocolDescriptor {
  if (typeof policy !== 'object' || policy === null)
    throw invalid('(the policy)', 'expected an object with "default"');
  const fallback = lookup(policy.default, '"default"');
  const table = new Map<string, ProtocolDescriptor>();
  const entries = policy.byDutyType ?? {};
  if (typeof entries !== 'object' || entries === null) throw invalid('"byDutyType"', 'expected an object');
  for (const [dutyType, name] of Object.entries(entries))
    table.set(dutyType, lookup(name, `"byDutyType.${dutyType}"`));
  return (dutyType) => table.get(dutyType) ?? fallback;
}
