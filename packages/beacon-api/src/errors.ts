/**
 * Typed errors of @diva-dvt/beacon-api. Everything a beacon node sends back that is not what the
 * route promises becomes a `BeaconApiError` whose `details.code` says what went wrong and whose
 * other fields say where: the route id (`endpoint`), the node's label (`node`) and, for a malformed
 * body, the JSON path of the offending field. Nothing a node returns is thrown raw.
 */

/** Error body of the Beacon API (`{code, message, stacktraces?, failures?}`), parsed when present. */
export interface ApiErrorBody {
  readonly code: number;
  readonly message: string;
  readonly failures?: readonly { readonly index: number; readonly message: string }[];
}

interface Where {
  readonly endpoint: string;
  readonly node: string;
}

export type BeaconApiErrorDetails =
  | (Where & {
      readonly code: 'HTTP_ERROR';
      readonly status: number;
      readonly apiError?: ApiErrorBody;
      readonly body?: string;
    })
  | (Where & { readonly code: 'INVALID_RESPONSE'; readonly field: string; readonly reason: string })
  | (Where & { readonly code: 'WRONG_CONSENSUS_VERSION'; readonly expected: string; readonly got: string })
  | (Where & { readonly code: 'TIMEOUT'; readonly timeoutMs: number })
  | (Where & { readonly code: 'NETWORK_ERROR'; readonly reason: string })
  | (Where & { readonly code: 'ABORTED' })
  | (Where & { readonly code: 'NOT_SUPPORTED'; readonly tried: readonly string[] })
  | {
      readonly code: 'ALL_NODES_FAILED';
      readonly endpoint: string;
      readonly errors: readonly { readonly node: string; readonly message: string }[];
    }
  | {
      readonly code: 'INVALID_REQUEST';
      readonly endpoint: string;
      readonly field: string;
      readonly reason: string;
    }
  | { readonly code: 'INVALID_CONFIG'; readonly field: string; readonly reason: string }
  | {
      readonly code: 'INVALID_DEPOSIT_DATA';
      readonly index: number;
      readonly field: string;
      readonly reason: string;
    }
  | { readonly code: 'UNSUPPORTED_FORK'; readonly fork: string };

export type BeaconApiErrorCode = BeaconApiErrorDetails['code'];

function describe(d: BeaconApiErrorDetails): string {
  switch (d.code) {
    case 'HTTP_ERROR': {
      const msg = d.apiError ? `: ${d.apiError.message}` : d.body ? `: ${d.body}` : '';
      return `${d.endpoint} on ${d.node} answered HTTP ${d.status}${msg}`;
    }
    case 'INVALID_RESPONSE':
      return `${d.endpoint} on ${d.node} sent an invalid response at ${d.field}: ${d.reason}`;
    case 'WRONG_CONSENSUS_VERSION':
      return `${d.endpoint} on ${d.node} sent consensus version ${d.got}, expected ${d.expected}`;
    case 'TIMEOUT':
      return `${d.endpoint} on ${d.node} timed out after ${d.timeoutMs} ms`;
    case 'NETWORK_ERROR':
      return `${d.endpoint} on ${d.node} failed: ${d.reason}`;
    case 'ABORTED':
      return `${d.endpoint} on ${d.node} was aborted by the caller`;
    case 'NOT_SUPPORTED':
      return `${d.node} supports none of ${d.tried.join(', ')} for ${d.endpoint}`;
    case 'ALL_NODES_FAILED':
      return `${d.endpoint} failed on every node: ${d.errors.map((e) => `${e.node}: ${e.message}`).join('; ')}`;
    case 'INVALID_REQUEST':
      return `invalid request for ${d.endpoint} at ${d.field}: ${d.reason}`;
    case 'INVALID_CONFIG':
      return `invalid client config at ${d.field}: ${d.reason}`;
    case 'INVALID_DEPOSIT_DATA':
      return `invalid deposit data entry ${d.index} at ${d.field}: ${d.reason}`;
    case 'UNSUPPORTED_FORK':
      return `unsupported fork ${JSON.stringify(d.fork)}`;
  }
}

export class BeaconApiError extends Error {
  override readonly name = 'BeaconApiError';
  readonly code: BeaconApiErrorCode;
  readonly details: BeaconApiErrorDetails;
  readonly shortMessage: string;

  constructor(details: BeaconApiErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

export function isBeaconApiError<C extends BeaconApiErrorCode>(
  error: unknown,
  code?: C,
): error is BeaconApiError & { code: C; details: Extract<BeaconApiErrorDetails, { code: C }> } {
  return error instanceof BeaconApiError && (code === undefined || error.code === code);
}

/** Parses a Beacon API error body; undefined when the text is not one. Never throws. */
export function parseApiErrorBody(text: string): ApiErrorBody | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  // The spec's body is {code, message}; fastify-based nodes (Lodestar) answer {statusCode, error, message}.
  const raw = o.code ?? o.statusCode;
  const code = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(code) || typeof o.message !== 'string') return undefined;
  const message = o.message.slice(0, 1000);
  if (!Array.isArray(o.failures)) return { code, message };
  const failures: { index: number; message: string }[] = [];
  for (const f of o.failures) {
    if (typeof f !== 'object' || f === null) continue;
    const r = f as Record<string, unknown>;
    const index = typeof r.index === 'number' ? r.index : Number(r.index);
    if (Number.isInteger(index) && typeof r.message === 'string') {
      failures.push({ index, message: r.message.slice(0, 1000) });
    }
  }
  return { code, message, failures };
}
