// Response metadata shared by many routes: the fork (`version`), execution_optimistic, finalized
// and dependent_root, carried as JSON fields beside `data` or as `Eth-*` headers with SSZ bodies.
// Split from ./route.ts, which re-exports what routes use.
import { BeaconApiError } from './errors.ts';
import { type Fork, isFork } from './forks.ts';
import { bytesToHex, fieldError, hexToBytes } from './internal/json.ts';
import type { ResponseMeta } from './route.ts';

/** Metadata a response can carry besides its data (JSON fields or `Eth-*` headers for SSZ). */
export interface ResponseMetadata {
  /** Fork of the data (`version` / `Eth-Consensus-Version`). */
  version?: Fork;
  executionOptimistic?: boolean;
  finalized?: boolean;
  /** Duties: the block root the duties depend on. */
  dependentRoot?: Uint8Array;
}

export interface ApiResponse<T> {
  data: T;
  meta: ResponseMetadata;
}

export const HEADER = {
  consensusVersion: 'eth-consensus-version',
  executionOptimistic: 'eth-execution-optimistic',
  finalized: 'eth-consensus-finalized',
  dependentRoot: 'eth-consensus-dependent-root',
  payloadBlinded: 'eth-execution-payload-blinded',
  payloadValue: 'eth-execution-payload-value',
  blockValue: 'eth-consensus-block-value',
} as const;

export type MetaKey = 'version' | 'executionOptimistic' | 'finalized' | 'dependentRoot';

export function metaFromJson(
  o: Record<string, unknown>,
  keys: readonly MetaKey[],
  meta: ResponseMeta,
): ResponseMetadata {
  const m: ResponseMetadata = {};
  for (const k of keys) {
    if (k === 'executionOptimistic' && o.execution_optimistic !== undefined) {
      if (typeof o.execution_optimistic !== 'boolean')
        throw fieldError('execution_optimistic', 'expected a boolean');
      m.executionOptimistic = o.execution_optimistic;
    } else if (k === 'finalized' && o.finalized !== undefined) {
      if (typeof o.finalized !== 'boolean') throw fieldError('finalized', 'expected a boolean');
      m.finalized = o.finalized;
    } else if (k === 'dependentRoot') {
      const b = hexToBytes(o.dependent_root, 'dependent_root');
      if (b.length !== 32) throw fieldError('dependent_root', 'expected 32 bytes');
      m.dependentRoot = b;
    } else if (k === 'version') {
      m.version = readVersion(o.version, meta);
    }
  }
  return m;
}

/** The fork of a response: the `version` field, checked against the header when both are present. */
export function readVersion(field: unknown, meta: ResponseMeta): Fork {
  const header = meta.header(HEADER.consensusVersion);
  if (field === undefined && header === undefined)
    throw fieldError('version', 'missing (and no Eth-Consensus-Version header)');
  const v = field ?? header;
  if (typeof v !== 'string' || !isFork(v.toLowerCase()))
    throw fieldError('version', `unknown fork ${JSON.stringify(v)}`);
  const fork = v.toLowerCase() as Fork;
  if (header !== undefined && header.toLowerCase() !== fork) {
    // The client reports this as WRONG_CONSENSUS_VERSION (expected: the body's fork).
    throw new BeaconApiError({
      code: 'DECODE_ERROR',
      field: 'Eth-Consensus-Version',
      reason: `Eth-Consensus-Version ${header} but the body is ${fork}`,
      versionMismatch: { expected: fork, got: header },
    });
  }
  return fork;
}

export function metaToJson(m: ResponseMetadata, keys: readonly MetaKey[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === 'version' && m.version !== undefined) o.version = m.version;
    if (k === 'executionOptimistic') o.execution_optimistic = m.executionOptimistic ?? false;
    if (k === 'finalized') o.finalized = m.finalized ?? false;
    if (k === 'dependentRoot' && m.dependentRoot !== undefined)
      o.dependent_root = bytesToHex(m.dependentRoot);
  }
  return o;
}

export function metaToHeaders(m: ResponseMetadata, keys: readonly MetaKey[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const k of keys) {
    if (k === 'version' && m.version !== undefined) h[HEADER.consensusVersion] = m.version;
    if (k === 'executionOptimistic') h[HEADER.executionOptimistic] = String(m.executionOptimistic ?? false);
    if (k === 'finalized') h[HEADER.finalized] = String(m.finalized ?? false);
    if (k === 'dependentRoot' && m.dependentRoot !== undefined)
      h[HEADER.dependentRoot] = bytesToHex(m.dependentRoot);
  }
  return h;
}

export function metaFromHeaders(meta: ResponseMeta, keys: readonly MetaKey[]): ResponseMetadata {
  const m: ResponseMetadata = {};
  for (const k of keys) {
    if (k === 'version') {
      const v = meta.header(HEADER.consensusVersion);
      if (v === undefined || !isFork(v.toLowerCase())) {
        throw fieldError('Eth-Consensus-Version', `missing or unknown fork ${JSON.stringify(v)}`);
      }
      m.version = v.toLowerCase() as Fork;
    } else if (k === 'executionOptimistic') {
      const v = meta.header(HEADER.executionOptimistic);
      if (v !== undefined) m.executionOptimistic = v === 'true';
    } else if (k === 'finalized') {
      const v = meta.header(HEADER.finalized);
      if (v !== undefined) m.finalized = v === 'true';
    } else if (k === 'dependentRoot') {
      const v = meta.header(HEADER.dependentRoot);
      if (v === undefined) throw fieldError('Eth-Consensus-Dependent-Root', 'missing');
      const b = hexToBytes(v, 'Eth-Consensus-Dependent-Root');
      if (b.length !== 32) throw fieldError('Eth-Consensus-Dependent-Root', 'expected 32 bytes');
      m.dependentRoot = b;
    }
  }
  return m;
}
