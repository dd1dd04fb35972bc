// The chain a stopped Lodestar would not get back. Lodestar 1.5.1 restarted on its database starts
// from its last finalized state, but its fork choice then never moves its head past that state (it
// starts with a zero finalized root, and every later block fails its viability check), and it does
// not replay the blocks after it; on a network whose only beacon node it is, nobody has them to sync
// from either. So before a stop the canonical chain is saved (each block as JSON, as the beacon API
// serves it); the node restarts from genesis (`startLodestar` with `resume`) and the blocks are
// published to it again in slot order: its head, justification and finality are what they were, and
// the validators' slashing protection (which remembers the votes in those blocks) agrees with it.
import { readFile, writeFile } from 'node:fs/promises';
import { DevnetError } from './errors.ts';

/** What `exportBlocks` wrote. */
export interface SavedBlocks {
  /** The finalized epoch at the export. */
  readonly finalizedEpoch: number;
  readonly headSlot: number;
  readonly blocks: readonly { readonly slot: number; readonly version: string; readonly block: unknown }[];
}

/** How `importBlocks` went: each block imported, already known (or finalized meanwhile), or refused. */
export interface ImportedBlocks {
  readonly imported: number;
  readonly known: number;
  readonly refused: readonly { readonly slot: number; readonly reason: string }[];
  readonly headSlot: number;
}

const TIMEOUT_MS = 10_000;

async function getJson(restUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${restUrl}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (cause) {
    throw new DevnetError({ code: 'REST_FAILED', restUrl, path, reason: 'no answer' }, { cause });
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
  } catch (cause) {
    throw new DevnetError(
      { code: 'REST_FAILED', restUrl, path, reason: `HTTP ${response.status}, not JSON` },
      { cause },
    );
  }
}

function field(restUrl: string, path: string, body: unknown, ...keys: string[]): string {
  let v: unknown = body;
  for (const k of keys)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) {
    throw new DevnetError({
      code: 'REST_FAILED',
      restUrl,
      path,
      reason: `no ${keys.join('.')} in the answer`,
    });
  }
  return v;
}

/** The fork choice's head slot (Lodestar 1.5.1 cannot serve the head's header right after a restart). */
async function headSlot(restUrl: string): Promise<number> {
  const path = '/eth/v1/node/syncing';
  const { body } = await getJson(restUrl, path);
  return Number(field(restUrl, path, body, 'data', 'head_slot'));
}

/**
 * Saves the canonical blocks from slot 1 up to the head into `file`. Call it while the node runs,
 * after the validators stopped, just before stopping the node.
 */
export async function exportBlocks(restUrl: string, file: string): Promise<SavedBlocks> {
  const finalityPath = '/eth/v1/beacon/states/head/finality_checkpoints';
  const finality = await getJson(restUrl, finalityPath);
  const finalizedEpoch = Number(field(restUrl, finalityPath, finality.body, 'data', 'finalized', 'epoch'));
  const head = await headSlot(restUrl);
  const blocks: { slot: number; version: string; block: unknown }[] = [];
  for (let slot = 1; slot <= head; slot++) {
    const path = `/eth/v2/beacon/blocks/${slot}`;
    const { status, body } = await getJson(restUrl, path);
    if (status === 404) continue; // an empty slot
    const b = body as { version?: unknown; data?: unknown } | undefined;
    if (status !== 200 || typeof b?.version !== 'string' || b.data === undefined) {
      throw new DevnetError({ code: 'REST_FAILED', restUrl, path, reason: `HTTP ${status}` });
    }
    blocks.push({ slot, version: b.version, block: b.data });
  }
  const saved: SavedBlocks = { finalizedEpoch, headSlot: head, blocks };
  await writeFile(file, JSON.stringify(saved));
  return saved;
}

/**
 * Publishes the blocks `exportBlocks` saved in `file`, in slot order, to a node restarted from
 * genesis (`startLodestar` with `resume`). A block the node already has, or one at or before its
 * finalized slot, counts as known; any other refusal is listed with its reason.
 */
export async function importBlocks(restUrl: string, file: string): Promise<ImportedBlocks> {
  let saved: SavedBlocks;
  try {
    saved = JSON.parse(await readFile(file, 'utf8')) as SavedBlocks;
  } catch (cause) {
    throw new DevnetError({ code: 'BLOCKS_FILE', file, reason: 'unreadable or not JSON' }, { cause });
  }
  if (!Array.isArray(saved.blocks)) {
    throw new DevnetError({ code: 'BLOCKS_FILE', file, reason: 'no list of blocks' });
  }
  let imported = 0;
  let known = 0;
  const refused: { slot: number; reason: string }[] = [];
  for (const { slot, version, block } of [...saved.blocks].sort((a, b) => a.slot - b.slot)) {
    let response: Response;
    try {
      response = await fetch(`${restUrl}/eth/v1/beacon/blocks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'eth-consensus-version': version },
        body: JSON.stringify(block),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new DevnetError(
        { code: 'REST_FAILED', restUrl, path: '/eth/v1/beacon/blocks', reason: `no answer for slot ${slot}` },
        { cause },
      );
    }
    const text = await response.text();
    if (response.ok) imported++;
    else if (/ALREADY_KNOWN|WOULD_REVERT_FINALIZED|PRE_FINALIZED|finalized/i.test(text)) known++;
    else refused.push({ slot, reason: `HTTP ${response.status}: ${text.slice(0, 200)}` });
  }
  return { imported, known, refused, headSlot: await headSlot(restUrl) };
}
