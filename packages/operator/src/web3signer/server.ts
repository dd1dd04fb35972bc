// A Web3Signer-compatible remote signer over node:http: the eth2 API that stock validator
// clients (Lodestar `--externalSigner.url`, Teku, Lighthouse, Nimbus `--web3-signer-url`) sign
// through. `POST /api/v1/eth2/sign/{pubkey}` parses and checks the request (./parse.ts), refuses
// another chain's genesis_validators_root, recomputes the signing root (./signing-root.ts) and
// refuses a different `signingRoot`, checks the fee-recipient proof when one is configured for the
// key (./fee-recipient.ts), then asks the injected backend. Statuses: 200 signature (JSON or
// text/plain by Accept), 400 malformed (the message names the field), 404 unknown key, 412 refused
// (slashing protection, or the committee decided another value), 503 unavailable, 500 otherwise.
// Also `GET /api/v1/eth2/publicKeys`, `GET /upcheck`, `GET /healthcheck`, `POST /reload` (202, 409
// while one runs) and `GET /reload` (the last reload's status).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOperatorError, OperatorError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { checkFeeRecipientProof } from './fee-recipient.ts';
import { parseSignBody } from './parse.ts';
import { web3SignerSigningRoot } from './signing-root.ts';
import type { Web3SignerBackend, Web3SignerReloadReport, Web3SignerRequest } from './types.ts';

export interface Web3SignerFeeRecipients {
  /** The fee recipient (20 bytes) of every key without its own entry. */
  readonly default?: Uint8Array;
  /** Per validator public key (lower-case `0x` hex). */
  readonly byPublicKey?: ReadonlyMap<`0x${string}`, Uint8Array>;
}

export interface Web3SignerServerOptions {
  readonly backend: Web3SignerBackend;
  /** The chain's genesis_validators_root: requests whose `fork_info` names another are refused (400). */
  readonly genesisValidatorsRoot: Uint8Array;
  /** The chain's GENESIS_FORK_VERSION (VALIDATOR_REGISTRATION's builder domain). */
  readonly genesisForkVersion: Uint8Array;
  /** Verifying signer: blocks of a key with a fee recipient here must prove paying it. */
  readonly feeRecipients?: Web3SignerFeeRecipients;
  /** Default 127.0.0.1: the API signs for anyone who reaches it. */
  readonly host?: string;
  /** Default 9000 (Web3Signer's); 0 picks a free port. */
  readonly port?: number;
  /** Largest request body accepted (default 4 MiB; a phase0 block with full lists fits). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
}

export type Web3SignerReloadState = 'idle' | 'running' | 'completed' | 'failed';

/** `GET /reload`: the state of the last reload (the one `start()` runs included). */
export interface Web3SignerReloadStatus {
  readonly status: Web3SignerReloadState;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly report?: Web3SignerReloadReport;
  /** Why the reload itself failed (status `failed`). */
  readonly error?: string;
}

export interface Web3SignerServer {
  /** `http://host:port` once started. */
  readonly url: string;
  /** The request handler, to mount on a server of one's own instead of `start()` (then `await reload()` first). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  reloadStatus(): Web3SignerReloadStatus;
  /** Runs a reload now (what `POST /reload` starts; joins one that runs); a failure is in the status, never thrown. */
  reload(): Promise<Web3SignerReloadStatus>;
  /** Loads the keys (a first reload), then listens. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const PUBKEY = /^(?:0x)?([0-9a-fA-F]{96})$/;
const SIGN_PATH = /^\/api\/v1\/eth2\/sign\/([^/]+)$/;

function accepted(req: IncomingMessage, types: readonly string[]): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return types.includes(type ?? '') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * JSON unless the client asks for text/plain and not for JSON. Clients that send no Accept header
 * parse JSON: Lodestar up to at least 1.5 sends only Content-Type and JSON-parses every answer.
 */
function acceptsJson(req: IncomingMessage): boolean {
  return accepted(req, ['application/json', 'application/*']) || !accepted(req, ['text/plain', 'text/*']);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

/** An error in the client's format: JSON `{code, message}` or the message as text. */
function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  if (acceptsJson(req)) sendJson(res, status, { code: status, message });
  else send(res, status, 'text/plain; charset=utf-8', message);
}

/** An answer other than 200, thrown inside a handler and sent by the catch-all. */
class HttpFault {
  readonly status: number;
  readonly message: string;
  constructor(status: number, message: string) {
    this.status = status;
    this.message = message;
  }
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of req) {
    const b = c as Buffer;
    total += b.length;
    if (total > limit) throw new HttpFault(413, `request body exceeds ${limit} bytes`);
    chunks.push(b);
  }
  if (total === 0) throw new HttpFault(400, 'empty request body: expected a JSON signing request');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFault(400, 'request body is not JSON');
  }
}

function checkBytes(bytes: Uint8Array, length: number, option: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new OperatorError({ code: 'INVALID_OPTION', option, reason: `expected ${length} bytes` });
  }
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Creates the server (no I/O until `start()`). */
export function createWeb3SignerServer(options: Web3SignerServerOptions): Web3SignerServer {
  const { backend } = options;
  const genesisValidatorsRoot = checkBytes(options.genesisValidatorsRoot, 32, 'genesisValidatorsRoot');
  const genesisForkVersion = checkBytes(options.genesisForkVersion, 4, 'genesisForkVersion');
  const defaultFeeRecipient =
    options.feeRecipients?.default === undefined
      ? undefined
      : checkBytes(options.feeRecipients.default, 20, 'feeRecipients.default');
  const feeRecipientByKey = new Map<string, Uint8Array>();
  for (const [k, v] of options.feeRecipients?.byPublicKey ?? []) {
    const m = PUBKEY.exec(k);
    if (m === null)
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: 'feeRecipients.byPublicKey',
        reason: `${k} is not a public key`,
      });
    feeRecipientByKey.set(
      `0x${(m[1] as string).toLowerCase()}`,
      checkBytes(v, 20, `feeRecipients.byPublicKey[${k}]`),
    );
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9000;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  let server: Server | undefined;
  let url = '';
  let status: Web3SignerReloadStatus = { status: 'idle' };
  let running: Promise<Web3SignerReloadStatus> | undefined;

  function reload(): Promise<Web3SignerReloadStatus> {
    if (running !== undefined) return running;
    const startedAt = new Date().toISOString();
    status = { status: 'running', startedAt };
    const job = (async (): Promise<Web3SignerReloadStatus> => {
      try {
        const report: Web3SignerReloadReport =
          backend.reload === undefined
            ? { keyCount: backend.publicKeys().length, errors: [] }
            : await backend.reload();
        status = { status: 'completed', startedAt, finishedAt: new Date().toISOString(), report };
        if (report.errors.length > 0) {
          logger.warn('web3signer: some keystores did not load', { errors: report.errors });
        }
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        status = { status: 'failed', startedAt, finishedAt: new Date().toISOString(), error };
        logger.error('web3signer: reload failed', { error });
      } finally {
        running = undefined;
      }
      return status;
    })();
    running = job;
    return job;
  }

  async function sign(req: IncomingMessage, res: ServerResponse, rawKey: string): Promise<void> {
    let key = rawKey;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      // a malformed escape: the raw text fails the pattern below
    }
    const m = PUBKEY.exec(key);
    if (m === null) throw new HttpFault(400, `invalid public key in the path: expected 48 bytes of 0x-hex`);
    const pubkeyHex = `0x${(m[1] as string).toLowerCase()}` as const;
    const parsed = parseSignBody(await readJsonBody(req, maxBodyBytes));
    const { request } = parsed;
    if ('forkInfo' in request && !sameBytes(request.forkInfo.genesisValidatorsRoot, genesisValidatorsRoot)) {
      throw new HttpFault(
        400,
        `invalid signing request at fork_info.genesis_validators_root: ${hex(request.forkInfo.genesisValidatorsRoot)} is not this signer's chain (${hex(genesisValidatorsRoot)})`,
      );
    }
    const signingRoot = web3SignerSigningRoot(request, { genesisForkVersion });
    if (parsed.suppliedSigningRoot !== undefined && !sameBytes(parsed.suppliedSigningRoot, signingRoot)) {
      throw new HttpFault(
        400,
        `invalid signing request at signingRoot: ${hex(parsed.suppliedSigningRoot)} differs from the root computed from the request, ${hex(signingRoot)}`,
      );
    }
    if (!backend.publicKeys().includes(pubkeyHex))
      throw new HttpFault(404, `public key ${pubkeyHex} not found`);
    checkFeeRecipient(request, pubkeyHex);
    const result = await backend.sign({
      pubkey: Buffer.from(m[1] as string, 'hex'),
      pubkeyHex,
      request,
      signingRoot,
    });
    if (result.ok) {
      const signature = hex(result.signature);
      if (acceptsJson(req)) sendJson(res, 200, { signature });
      else send(res, 200, 'text/plain; charset=utf-8', signature);
      return;
    }
    const r = result.refusal;
    const where = { pubkey: pubkeyHex, type: request.type };
    switch (r.reason) {
      case 'UNKNOWN_KEY':
        throw new HttpFault(404, `public key ${pubkeyHex} not found`);
      case 'SLASHING_PROTECTION':
        logger.warn('web3signer: slashing protection refused to sign', { ...where, reason: r.detail });
        throw new HttpFault(412, `signing refused by slashing protection (${r.detail})`);
      case 'VALUE_DIFFERS':
        logger.warn('web3signer: the committee decided another value', { ...where, detail: r.detail });
        throw new HttpFault(412, `signing refused: the committee decided another value (${r.detail})`);
      case 'UNAVAILABLE':
        throw new HttpFault(503, `cannot sign now: ${r.detail}`);
    }
  }

  function checkFeeRecipient(request: Web3SignerRequest, pubkeyHex: `0x${string}`): void {
    if (request.type !== 'BLOCK' && request.type !== 'BLOCK_V2') return;
    const expected = feeRecipientByKey.get(pubkeyHex) ?? defaultFeeRecipient;
    if (expected === undefined) return;
    const fault = checkFeeRecipientProof(
      request.fork,
      request.blockHeader.bodyRoot,
      request.proofs,
      expected,
    );
    if (fault !== undefined) {
      // The legacy BLOCK request has no `beacon_block`: its fork is in its type.
      const at = request.type === 'BLOCK' && fault.field === 'beacon_block.version' ? 'type' : fault.field;
      logger.warn('web3signer: block refused by the fee-recipient check', {
        pubkey: pubkeyHex,
        slot: request.blockHeader.slot,
      });
      throw new HttpFault(400, `invalid signing request at ${at}: ${fault.reason}`);
    }
  }

  function healthcheck(res: ServerResponse): void {
    const report = status.report;
    const up = status.status !== 'failed' && (report === undefined || report.errors.length === 0);
    const state = up ? 'UP' : 'DOWN';
    sendJson(res, up ? 200 : 503, {
      status: state,
      checks: [
        {
          id: 'keys-check',
          status: state,
          data: { keysLoaded: backend.publicKeys().length, errorCount: report?.errors.length ?? 0 },
        },
      ],
      outcome: state,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = req.method ?? 'GET';
    const signMatch = SIGN_PATH.exec(path);
    if (signMatch !== null) {
      if (method !== 'POST') throw new HttpFault(405, `${method} ${path}: POST only`);
      return sign(req, res, signMatch[1] as string);
    }
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /api/v1/eth2/publicKeys':
        return sendJson(res, 200, backend.publicKeys());
      case 'GET /upcheck':
        if (acceptsJson(req)) return sendJson(res, 200, { status: 'OK' });
        return send(res, 200, 'text/plain; charset=utf-8', 'OK');
      case 'GET /healthcheck':
        return healthcheck(res);
      case 'POST /reload':
        if (running !== undefined) throw new HttpFault(409, 'a reload is already running');
        void reload();
        return sendJson(res, 202, { status: 'running' });
      case 'GET /reload':
        return sendJson(res, 200, status);
      default:
        throw new HttpFault(404, `no route ${key}`);
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpFault) return sendError(req, res, e.status, e.message);
      if (isOperatorError(e, 'INVALID_SIGN_REQUEST')) return sendError(req, res, 400, e.shortMessage);
      logger.error('web3signer: request failed', { error: e instanceof Error ? e.message : String(e) });
      sendError(req, res, 500, 'internal error: the signer failed (see its log)');
    });
  };

  return {
    get url() {
      return url;
    },
    handler,
    reloadStatus: () => status,
    reload,
    async start() {
      if (server !== undefined) throw new OperatorError({ code: 'ALREADY_STARTED' });
      await reload();
      const s = createServer(handler);
      try {
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(port, host, () => resolve());
        });
      } catch (cause) {
        throw new OperatorError({ code: 'WEB3SIGNER_LISTEN_FAILED', host, port }, { cause });
      }
      server = s;
      const bound = (s.address() as AddressInfo).port;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      await running;
      await new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      });
    },
  };
}
