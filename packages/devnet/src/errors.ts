// Typed errors of the devnet launcher. Every failure names what went wrong and where; failures of
// the beacon node process carry the tail of its log, so a red test shows why the node died.

export type DevnetErrorDetails =
  | { code: 'INVALID_OPTION'; option: string; reason: string }
  | { code: 'BINARY_NOT_FOUND'; binary: string }
  | { code: 'PORT_IN_USE'; port: number; host: string; which: 'rest' | 'p2p'; logTail?: string }
  | {
      code: 'EARLY_EXIT';
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      logFile: string;
      logTail: string;
    }
  | { code: 'REST_TIMEOUT'; restUrl: string; timeoutMs: number; logFile: string; logTail: string }
  | { code: 'GENESIS_IN_PAST'; genesisTimeSec: number; nowSec: number; stateFile: string }
  | { code: 'INVALID_GENESIS_STATE'; stateFile: string; reason: string }
  | { code: 'GENESIS_BUILD_FAILED'; reason: string; stderrTail: string }
  | { code: 'STOP_FAILED'; pid: number; reason: string }
  | { code: 'NO_FREE_PORT'; host: string; attempts: number }
  | { code: 'UNEXPECTED_RESPONSE'; url: string; status: number }
  | { code: 'ANVIL_FAILED'; reason: string; logFile: string }
  | { code: 'DEPOSIT_LOGS'; rpcUrl: string; reason: string }
  | { code: 'REST_FAILED'; restUrl: string; path: string; reason: string }
  | { code: 'BLOCKS_FILE'; file: string; reason: string };

export type DevnetErrorCode = DevnetErrorDetails['code'];

/** The message without the details (log tails, files), for logs that add their own context. */
function summarize(d: DevnetErrorDetails): string {
  switch (d.code) {
    case 'INVALID_OPTION':
      return `invalid option ${d.option}: ${d.reason}`;
    case 'BINARY_NOT_FOUND':
      return `binary not found or not executable: ${d.binary}`;
    case 'PORT_IN_USE':
      return `${d.which} port ${d.host}:${d.port} is already in use`;
    case 'EARLY_EXIT':
      return `Lodestar exited before its REST API answered (exit code ${d.exitCode}, signal ${d.signal})`;
    case 'REST_TIMEOUT':
      return `Lodestar's REST API at ${d.restUrl} did not answer within ${d.timeoutMs} ms`;
    case 'GENESIS_IN_PAST':
      return `genesis state ${d.stateFile} has genesis_time ${d.genesisTimeSec}, ${d.nowSec - d.genesisTimeSec} s in the past: Lodestar would wait for peers forever; build it with a genesis time in the future`;
    case 'INVALID_GENESIS_STATE':
      return `genesis state ${d.stateFile} is not usable: ${d.reason}`;
    case 'GENESIS_BUILD_FAILED':
      return `building the genesis state failed: ${d.reason}`;
    case 'STOP_FAILED':
      return `could not stop Lodestar (pid ${d.pid}): ${d.reason}`;
    case 'NO_FREE_PORT':
      return `no free port found on ${d.host} after ${d.attempts} attempts`;
    case 'UNEXPECTED_RESPONSE':
      return `unexpected answer from ${d.url} (HTTP ${d.status})`;
    case 'ANVIL_FAILED':
      return `Anvil did not start: ${d.reason} (log ${d.logFile})`;
    case 'DEPOSIT_LOGS':
      return `deposit logs from ${d.rpcUrl}: ${d.reason}`;
    case 'REST_FAILED':
      return `beacon API ${d.restUrl}${d.path}: ${d.reason}`;
    case 'BLOCKS_FILE':
      return `saved blocks ${d.file}: ${d.reason}`;
  }
}

/** What the message adds to the summary: the node's log file and its last lines, the child's stderr. */
function detailsOf(d: DevnetErrorDetails): string {
  switch (d.code) {
    case 'EARLY_EXIT':
    case 'REST_TIMEOUT':
      return `; log ${d.logFile}, last lines:\n${d.logTail}`;
    case 'GENESIS_BUILD_FAILED':
      return d.stderrTail ? `\n${d.stderrTail}` : '';
    default:
      return '';
  }
}

/** The one error class of the devnet launcher. */
export class DevnetError extends Error {
  override readonly name = 'DevnetError';
  readonly code: DevnetErrorCode;
  readonly details: DevnetErrorDetails;
  /** The message without the code prefix and the log tail, for logs that add their own context. */
  readonly shortMessage: string;

  constructor(details: DevnetErrorDetails, options?: { cause?: unknown }) {
    const shortMessage = summarize(details);
    super(`[${details.code}] ${shortMessage}${detailsOf(details)}`, options);
    this.code = details.code;
    this.details = details;
    this.shortMessage = shortMessage;
  }
}

/** Narrows an unknown error to a `DevnetError`, optionally of one code (and its details). */
export function isDevnetError<C extends DevnetErrorCode>(
  err: unknown,
  code?: C,
): err is DevnetError & { code: C; details: Extract<DevnetErrorDetails, { code: C }> } {
  return err instanceof DevnetError && (code === undefined || err.code === code);
}
