// HTTP details of the client: request URLs (path parameters, repeated query keys), bounded body
// reads, telling a missing route from a missing object, and parsing Beacon API error bodies.
import { type ApiErrorBody, BeaconApiError } from '../errors.ts';
import type { QueryValue, RequestParts } from '../route.ts';

export function labelOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return url;
  }
}

export function buildUrl(base: string, path: string, parts: RequestParts): string {
  let p = path;
  for (const [k, v] of Object.entries(parts.params ?? {})) {
    p = p.replace(`{${k}}`, encodeURIComponent(String(v)));
  }
  const qs: string[] = [];
  for (const [k, v] of Object.entries(parts.query ?? {}) as [string, QueryValue | undefined][]) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    // Repeated keys (`id=1&id=2`), the form every node accepts (Lodestar 1.5.1 ignores `id=1,2`).
    for (const x of values) qs.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
  }
  return `${base.replace(/\/+$/, '')}${p}${qs.length > 0 ? `?${qs.join('&')}` : ''}`;
}

/** True when a 404/405 means "no such route" rather than "no such object". */
export function routeMissing(err: BeaconApiError): boolean {
  const d = err.details;
  if (d.code !== 'HTTP_ERROR') return false;
  if (d.status === 405 || d.status === 501) return true;
  if (d.status !== 404) return false;
  if (d.apiError === undefined) return true;
  return /\broute\b|not implemented|unsupported|unknown endpoint/i.test(d.apiError.message);
}

/** Reads a response body of at most `limit` bytes; a larger one is NETWORK_ERROR at `where`. */
export async function readBody(
  res: Response,
  limit: number,
  where: { readonly endpoint: string; readonly node: string },
): Promise<Uint8Array> {
  const tooLarge = (reason: string) => new BeaconApiError({ ...where, code: 'NETWORK_ERROR', reason });
  const len = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(len) && len > limit)
    throw tooLarge(`body of ${len} bytes exceeds the limit of ${limit}`);
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
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
