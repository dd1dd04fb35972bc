/**
 * The one error class of @diva-dvt/beacon-api. Everything a beacon node sends back that is not what
 * the route promises becomes a `BeaconApiError` whose `details.code` says what went wrong and whose
 * other fields say where: the route id (`endpoint`), the node's label (`node`) and, for a malformed
 * body, the JSON path of the offending field. Nothing a node returns is thrown raw. The spec
 * helpers, the server helper and the preset choice throw the same class with their own codes.
 * This module imports nothing, so every entry point (even `./preset`) can export it.
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
  | { readonly code: 'UNSUPPORTED_FORK'; readonly fork: string }
  /**
   * A JSON or SSZ value that does not decode as its type, before the client knows which node sent
   * it (the client reports it as INVALID_RESPONSE or WRONG_CONSENSUS_VERSION with this error as
   * `cause`; the server helper answers 400). `field` is the JSON path (`data[3].validator.pubkey`),
   * `(ssz body)` or a header name. `versionMismatch` is set when the `Eth-Consensus-Version` header
   * names another fork than the body's `version`.
   */
  | {
      readonly code: 'DECODE_ERROR';
      readonly field: string;
      readonly reason: string;
      readonly versionMismatch?: { readonly expected: string; readonly got: string };
    }
  /**
   * Thrown by an implementation behind `createRouteHandler` (`@diva-dvt/beacon-api/server`) to
   * answer with `status` and a Beacon API error body `{code, message, failures?}`.
   */
  | {
      readonly code: 'REQUEST_REJECTED';
      readonly status: number;
      readonly reason: string;
      readonly failures?: readonly { readonly index: number; readonly message: string }[];
    }
  /**
   * The SSZ types of this process were built for another preset than the one asked for
   * (`@lodestar/params` fixes it when first loaded). `active` is the loaded preset, `hint` says how
   * to choose it in time.
   */
  | {
      readonly code: 'PRESET_MISMATCH';
      readonly requested: string;
      readonly active: string;
      readonly hint: string;
    };

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
    case 'DECODE_ERROR':
      return `${d.field}: ${d.reason}`;
    case 'REQUEST_REJECTED':
      return `request rejected with HTTP ${d.status}: ${d.reason}`;
    case 'PRESET_MISMATCH':
      return `the SSZ types are built for the ${d.active} preset, not ${d.requested}: ${d.hint}`;
  }
}

/** The one error class this package throws. */
export class BeaconApiError extends Error {
  override readonly name = 'BeaconApiError';
  readonly code: BeaconApiErrorCode;
  readonly details: BeaconApiErrorDetails;
  /** The message without the `[CODE]` prefix, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: BeaconApiErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = describe(details);
    super(`[${details.code}] ${shortMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `BeaconApiError`, optionally of one code (then `details` is that code's). */
export function isBeaconApiError<C extends BeaconApiErrorCode>(
  error: unknown,
  code?: C,
): error is BeaconApiError & { code: C; details: Extract<BeaconApiErrorDetails, { code: C }> } {
  return error instanceof BeaconApiError && (code === undefined || error.code === code);
}
