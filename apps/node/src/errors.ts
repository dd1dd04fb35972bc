// The one error class of diva-node: configuration and command-line errors name the file and the
// field (or flag) at fault and say what was expected; start-up failures carry the component's
// error as `cause`. No message contains key material or passwords.

export type DivaNodeErrorDetails =
  | {
      readonly code: 'INVALID_CONFIG';
      /** The configuration file (or `--config` when none was given). */
      readonly file: string;
      /** The field at fault, e.g. `p2p.listen[0]`. */
      readonly field: string;
      readonly reason: string;
    }
  | { readonly code: 'CONFIG_UNREADABLE'; readonly file: string; readonly reason: string }
  | { readonly code: 'INVALID_ARGUMENTS'; readonly argument: string; readonly reason: string }
  | {
      readonly code: 'EXIT_FAILED';
      /** The node asked (its HTTP URL). */
      readonly node: string;
      readonly reason: string;
    }
  | {
      readonly code: 'START_FAILED';
      /** The component that failed to start, e.g. `keys` or `p2p`. */
      readonly component: string;
    }
  | {
      /** The dashboard's source could not give the nodes' reports. */
      readonly code: 'DASHBOARD_SOURCE_FAILED';
      readonly reason: string;
    }
  | {
      /** A devnet phase (or a process it runs) failed; `phase` names it, e.g. `dkg` or `genesis`. */
      readonly code: 'DEVNET_FAILED';
      readonly phase: string;
      readonly reason: string;
    }
  | {
      /** A key-tool input (file, database) that is missing or unusable. */
      readonly code: 'INVALID_INPUT';
      readonly file: string;
      readonly field: string;
      readonly reason: string;
    };

export type DivaNodeErrorCode = DivaNodeErrorDetails['code'];

function describe(d: DivaNodeErrorDetails): string {
  switch (d.code) {
    case 'INVALID_CONFIG':
      return `${d.file}: ${d.field}: ${d.reason}`;
    case 'CONFIG_UNREADABLE':
      return `cannot read the configuration ${d.file}: ${d.reason}`;
    case 'INVALID_ARGUMENTS':
      return `${d.argument}: ${d.reason}`;
    case 'START_FAILED':
      return `could not start ${d.component}`;
    case 'EXIT_FAILED':
      return `${d.node}: the exit was not signed: ${d.reason}`;
    case 'DASHBOARD_SOURCE_FAILED':
      return `the dashboard's data is unavailable: ${d.reason}`;
    case 'INVALID_INPUT':
      return `${d.file}: ${d.field}: ${d.reason}`;
    case 'DEVNET_FAILED':
      return `devnet ${d.phase}: ${d.reason}`;
  }
}

export class DivaNodeError extends Error {
  override readonly name = 'DivaNodeError';
  readonly code: DivaNodeErrorCode;
  readonly details: DivaNodeErrorDetails;
  /** The message without the cause's. */
  readonly shortMessage: string;

  constructor(details: DivaNodeErrorDetails, options?: { cause?: unknown }) {
    const short = describe(details);
    const cause = options?.cause;
    const causeMessage = cause instanceof Error ? `: ${cause.message}` : '';
    super(`${short}${causeMessage}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = short;
  }
}

export function isDivaNodeError<C extends DivaNodeErrorCode>(
  e: unknown,
  code?: C,
): e is DivaNodeError & { code: C; details: Extract<DivaNodeErrorDetails, { code: C }> } {
  return e instanceof DivaNodeError && (code === undefined || e.code === code);
}
