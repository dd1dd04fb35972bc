// Small readers of a node's REST API for the launcher tests (the e2e tests use @diva-dvt/beacon-api).
export async function getJson<T = unknown>(
  restUrl: string,
  path: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${restUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function headSlot(restUrl: string): Promise<number> {
  const { body } = await getJson<{ data: { header: { message: { slot: string } } } }>(
    restUrl,
    '/eth/v1/beacon/headers/head',
  );
  return Number(body.data.header.message.slot);
}

/** Polls `check` every `intervalMs` until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 250 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
