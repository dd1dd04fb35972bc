// Voluntary exits signed by the committee. Every member's node must be asked for the same validator
// and epoch (their partial signatures are over that message), so each operator runs
// `diva-node exit --node URL --validator N --epoch E` against its own node, whose `POST /exit`
// (enabled by `http.exits`) asks the committee; the exit is published to the beacon nodes, or with
// `--out FILE` only written there (a pre-signed exit to keep: exits are signed under the Capella
// domain, so it stays valid, EIP-7044).
import { rename, writeFile } from 'node:fs/promises';
import { ssz } from '@diva-dvt/beacon-api/spec';
import { type DutyOutcome, dutyReason, isOperatorError, type OperatorNode } from '@diva-dvt/operator';
import { DivaNodeError } from './errors.ts';

export interface ExitRequestBody {
  readonly validatorIndex: number;
  readonly epoch: number;
  readonly publish: boolean;
}

/** The checked body of `POST /exit`, or the field at fault. */
export function parseExitBody(
  body: unknown,
): ExitRequestBody | { readonly field: string; readonly reason: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', reason: 'expected a JSON object' };
  }
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['validatorIndex', 'epoch', 'publish'].includes(k)) return { field: k, reason: 'unknown field' };
  }
  for (const k of ['validatorIndex', 'epoch'] as const) {
    if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 0) {
      return { field: k, reason: 'expected a non-negative integer' };
    }
  }
  if (o.publish !== undefined && typeof o.publish !== 'boolean') {
    return { field: 'publish', reason: 'expected true or false' };
  }
  return {
    validatorIndex: o.validatorIndex as number,
    epoch: o.epoch as number,
    publish: o.publish !== false,
  };
}

/** `POST /exit`: asks the committee to sign (and publish) the exit; answers with the signed exit. */
export function exitEndpoint(node: OperatorNode) {
  return async (body: unknown): Promise<{ status: number; body: unknown }> => {
    const request = parseExitBody(body);
    if ('field' in request) return { status: 400, body: { error: `${request.field}: ${request.reason}` } };
    let outcome: DutyOutcome;
    try {
      outcome = await node.exit(request.validatorIndex, { epoch: request.epoch, publish: request.publish });
    } catch (e) {
      if (isOperatorError(e, 'UNKNOWN_VALIDATOR')) {
        return {
          status: 404,
          body: { error: `validator ${request.validatorIndex} is not served by this node` },
        };
      }
      if (isOperatorError(e, 'NOT_STARTED'))
        return { status: 503, body: { error: 'the node is not started' } };
      throw e;
    }
    if (
      (outcome.status === 'published' || outcome.status === 'signed') &&
      outcome.duty === 'voluntary-exit'
    ) {
      return {
        status: 200,
        body: {
          status: outcome.status,
          signedVoluntaryExit: ssz.phase0.SignedVoluntaryExit.toJson(outcome.message),
        },
      };
    }
    const detail = outcome.status === 'failed' ? outcome.error.message : outcome.status;
    return { status: 502, body: { error: `${dutyReason(outcome)}: ${detail}` } };
  };
}

/** Parses `exit`'s flags. */
export function parseExitArguments(args: readonly string[]): {
  node: string;
  validatorIndex: number;
  epoch: number;
  out: string | undefined;
} {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!['--node', '--validator', '--epoch', '--out'].includes(flag)) {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: a,
        reason: 'unknown flag (see exit --help)',
      });
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: flag, reason: 'expects a value' });
    }
    values.set(flag, value);
  }
  const integer = (flag: string) => {
    const v = values.get(flag);
    if (v === undefined)
      throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: flag, reason: 'required' });
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: flag,
        reason: `expected a non-negative integer, got ${v}`,
      });
    }
    return Number(v);
  };
  const node = values.get('--node');
  if (node === undefined)
    throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: '--node', reason: 'required' });
  let protocol: string | undefined;
  try {
    protocol = new URL(node).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: '--node',
      reason: `expected an http(s) URL, got ${node}`,
    });
  }
  return {
    node: node.replace(/\/+$/, ''),
    validatorIndex: integer('--validator'),
    epoch: integer('--epoch'),
    out: values.get('--out'),
  };
}

export const EXIT_HELP = `diva-node exit - sign a voluntary exit with the validator's committee

Usage:
  diva-node exit --node URL --validator INDEX --epoch EPOCH [--out FILE]

Every operator of the committee runs it against its own node (the node's http.exits must be true),
with the same validator and epoch. Without --out the exit is published to the beacon nodes; with
--out it is only written to FILE (a pre-signed exit, valid later: EIP-7044).
Exit codes: 0 signed, 1 not signed (the reason is printed), 2 bad command line.`;

/** Runs `exit`; resolves with the process exit code. */
export async function runExit(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${EXIT_HELP}\n`);
    return 0;
  }
  const a = parseExitArguments(args);
  let response: Response;
  try {
    response = await fetch(`${a.node}/exit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        validatorIndex: a.validatorIndex,
        epoch: a.epoch,
        publish: a.out === undefined,
      }),
    });
  } catch (cause) {
    throw new DivaNodeError({ code: 'EXIT_FAILED', node: a.node, reason: 'unreachable' }, { cause });
  }
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    status?: string;
    signedVoluntaryExit?: unknown;
  };
  if (response.status === 404 && body.error === undefined) {
    throw new DivaNodeError({
      code: 'EXIT_FAILED',
      node: a.node,
      reason: 'no POST /exit there (set http.exits to true)',
    });
  }
  if (!response.ok || body.signedVoluntaryExit === undefined) {
    throw new DivaNodeError({
      code: 'EXIT_FAILED',
      node: a.node,
      reason: body.error ?? `HTTP ${response.status}`,
    });
  }
  const text = `${JSON.stringify(body.signedVoluntaryExit, null, 2)}\n`;
  if (a.out !== undefined) {
    const tmp = `${a.out}.tmp-${process.pid}`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, a.out);
    process.stdout.write(
      `signed exit of validator ${a.validatorIndex} at epoch ${a.epoch} written to ${a.out}\n`,
    );
  } else {
    process.stdout.write(text);
    process.stdout.write(`exit of validator ${a.validatorIndex} at epoch ${a.epoch} published\n`);
  }
  return 0;
}
