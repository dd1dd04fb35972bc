// The dashboard's data model. Each node reports what it knows (`NodeDashboardReport`: plain JSON,
// so a devnet can collect the reports of many nodes over HTTP); `buildDashboardModel` checks the
// reports field by field and sums them into one view: validators with their committees, duty
// outcomes per epoch and reason, the consensus latency histogram, attestation inclusion and each
// node's health. A report that is malformed in part loses that part (named in `problems`), never
// the page. Collateral, rewards, evidence and ejections come from the contracts and are not here.

/** Upper bounds of the consensus latency buckets (ms); one more bucket counts everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [10, 25, 50, 100, 250, 500, 1_000, 2_000, 4_000, 8_000];

export interface ChainPosition {
  readonly slot: number;
  readonly epoch: number;
  readonly slotsPerEpoch: number;
  readonly slotDurationMs: number;
}

export interface CommitteeView {
  /** 0x-prefixed hex. */
  readonly groupPublicKey: string;
  readonly validatorIndex?: number;
  readonly threshold: number;
  /** In share-index order (1-based). */
  readonly members: readonly { readonly operator: string; readonly shareIndex: number }[];
}

export interface OutcomeCount {
  readonly epoch: number;
  readonly duty: string;
  /** The duty reason code (`submitted`, `late`, `consensus-timeout`, ...). */
  readonly reason: string;
  readonly count: number;
}

export interface PeerHealth {
  readonly operator: string;
  readonly connected: boolean;
  /** The peer's clock minus this node's. */
  readonly clockOffsetMs?: number;
  readonly rttMs?: number;
}

export interface BeaconNodeHealth {
  /** `bn0`, `bn1`, ... in the configuration's order. */
  readonly label: string;
  /** host:port only (no credentials, path or query). */
  readonly host: string;
  readonly requests: number;
  readonly failures: number;
  readonly lastOk?: boolean;
  readonly lastDurationMs?: number;
}

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What one node reports. */
export interface NodeDashboardReport {
  /** The operator address of the node. */
  readonly operator: string;
  readonly atMs: number;
  readonly chain?: ChainPosition;
  readonly validators: readonly CommitteeView[];
  /** Duties ended, counted by epoch, duty type and reason (recent epochs only). */
  readonly outcomes: readonly OutcomeCount[];
  /** Consensus (or partial exchange) latency counts, one per LATENCY_BOUNDS_MS bucket plus one. */
  readonly latencyCounts: readonly number[];
  readonly inclusion: {
    readonly included: number;
    readonly notIncluded: number;
    readonly delays: readonly { readonly delaySlots: number; readonly count: number }[];
  };
  readonly health: {
    readonly peersExpected: number;
    readonly peersConnected: number;
    readonly peers: readonly PeerHealth[];
    readonly beaconNodes: readonly BeaconNodeHealth[];
    readonly checks: readonly HealthCheck[];
  };
}

/** Where the dashboard's reports come from: one node (diva-node) or many (a devnet). */
export interface DashboardSource {
  /** Each node's report; anything malformed is dropped by the model, not trusted. */
  reports(): Promise<readonly unknown[]>;
}

export interface DashboardModel {
  readonly generatedAtMs: number;
  /** The chain position of the first node that knows it. */
  readonly chain: ChainPosition | undefined;
  readonly nodes: readonly NodeDashboardReport[];
  /** Every validator of any node, with which operators of its committee reported. */
  readonly validators: readonly (CommitteeView & { readonly reportedBy: readonly string[] })[];
  /** Outcomes summed over nodes, by epoch, duty and reason (epochs ascending). */
  readonly outcomes: readonly OutcomeCount[];
  readonly latencyCounts: readonly number[];
  readonly inclusion: NodeDashboardReport['inclusion'];
  /** What was dropped from malformed reports. */
  readonly problems: readonly string[];
}

// Caps keep one bad report from making the page huge.
const MAX_ITEMS = 2_000;
const MAX_TEXT = 200;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
/** Reason codes and duty types are kebab-case words: anything else is not ours. */
const isCode = (v: unknown): v is string => typeof v === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(v);

class Checker {
  readonly problems: string[] = [];
  readonly where: string;
  constructor(where: string) {
    this.where = where;
  }
  drop(field: string, reason: string): undefined {
    if (this.problems.length < 50) this.problems.push(`${this.where}: ${field}: ${reason}`);
    return undefined;
  }
  /** The items of `v` that `check` accepts (at most MAX_ITEMS). */
  list<T>(v: unknown, field: string, check: (x: unknown, at: string) => T | undefined): T[] {
    if (!Array.isArray(v)) return this.drop(field, 'expected an array') ?? [];
    const out: T[] = [];
    for (const [i, x] of v.slice(0, MAX_ITEMS).entries()) {
      const ok = check(x, `${field}[${i}]`);
      if (ok !== undefined) out.push(ok);
    }
    return out;
  }
}

function checkChain(c: Checker, v: unknown): ChainPosition | undefined {
  if (v === undefined) return undefined;
  if (
    !isObj(v) ||
    !isCount(v.slot) ||
    !isCount(v.epoch) ||
    !isCount(v.slotsPerEpoch) ||
    !isCount(v.slotDurationMs)
  )
    return c.drop('chain', 'expected slot, epoch, slotsPerEpoch, slotDurationMs');
  return { slot: v.slot, epoch: v.epoch, slotsPerEpoch: v.slotsPerEpoch, slotDurationMs: v.slotDurationMs };
}

function checkCommittee(c: Checker, v: unknown, at: string): CommitteeView | undefined {
  if (!isObj(v) || !isText(v.groupPublicKey) || !isCount(v.threshold))
    return c.drop(at, 'expected groupPublicKey and threshold');
  const members = c.list(v.members, `${at}.members`, (m, mat) =>
    isObj(m) && isText(m.operator) && isCount(m.shareIndex)
      ? { operator: m.operator, shareIndex: m.shareIndex }
      : c.drop(mat, 'expected operator and shareIndex'),
  );
  return {
    groupPublicKey: v.groupPublicKey,
    ...(isCount(v.validatorIndex) ? { validatorIndex: v.validatorIndex } : {}),
    threshold: v.threshold,
    members,
  };
}

function checkHealth(c: Checker, v: unknown): NodeDashboardReport['health'] {
  const h = isObj(v) ? v : (c.drop('health', 'expected an object') ?? {});
  return {
    peersExpected: isCount(h.peersExpected) ? h.peersExpected : 0,
    peersConnected: isCount(h.peersConnected) ? h.peersConnected : 0,
    peers: c.list(h.peers, 'health.peers', (p, at) =>
      isObj(p) && isText(p.operator)
        ? {
            operator: p.operator,
            connected: p.connected === true,
            ...(isNumber(p.clockOffsetMs) ? { clockOffsetMs: p.clockOffsetMs } : {}),
            ...(isNumber(p.rttMs) ? { rttMs: p.rttMs } : {}),
          }
        : c.drop(at, 'expected operator'),
    ),
    beaconNodes: c.list(h.beaconNodes, 'health.beaconNodes', (b, at) =>
      isObj(b) && isText(b.label) && isCount(b.requests) && isCount(b.failures)
        ? {
            label: b.label,
            host: isText(b.host) ? b.host : '',
            requests: b.requests,
            failures: b.failures,
            ...(typeof b.lastOk === 'boolean' ? { lastOk: b.lastOk } : {}),
            ...(isNumber(b.lastDurationMs) ? { lastDurationMs: b.lastDurationMs } : {}),
          }
        : c.drop(at, 'expected label, requests, failures'),
    ),
    checks: c.list(h.checks, 'health.checks', (k, at) =>
      isObj(k) && isText(k.name) && typeof k.ok === 'boolean'
        ? {
            name: k.name,
            ok: k.ok,
            ...(typeof k.detail === 'string' ? { detail: k.detail.slice(0, 500) } : {}),
          }
        : c.drop(at, 'expected name and ok'),
    ),
  };
}

/** Checks one node's report; undefined when it has no operator (nothing to show it under). */
export function checkNodeReport(
  v: unknown,
  where: string,
): { report: NodeDashboardReport | undefined; problems: string[] } {
  const c = new Checker(where);
  if (!isObj(v) || !isText(v.operator)) {
    c.drop('operator', 'not a node report');
    return { report: undefined, problems: c.problems };
  }
  const chain = checkChain(c, v.chain);
  const counts = Array.isArray(v.latencyCounts) ? v.latencyCounts : [];
  const latencyOk = counts.length === LATENCY_BOUNDS_MS.length + 1 && counts.every(isCount);
  if (!latencyOk) c.drop('latencyCounts', `expected ${LATENCY_BOUNDS_MS.length + 1} counts`);
  const inc = isObj(v.inclusion) ? v.inclusion : (c.drop('inclusion', 'expected an object') ?? {});
  const report: NodeDashboardReport = {
    operator: v.operator,
    atMs: isNumber(v.atMs) ? v.atMs : 0,
    ...(chain !== undefined ? { chain } : {}),
    validators: c.list(v.validators, 'validators', (x, at) => checkCommittee(c, x, at)),
    outcomes: c.list(v.outcomes, 'outcomes', (o, at) =>
      isObj(o) && isCount(o.epoch) && isCode(o.duty) && isCode(o.reason) && isCount(o.count)
        ? { epoch: o.epoch, duty: o.duty, reason: o.reason, count: o.count }
        : c.drop(at, 'expected epoch, duty, reason (codes) and count'),
    ),
    latencyCounts: latencyOk ? (counts as number[]) : LATENCY_BOUNDS_MS.map(() => 0).concat(0),
    inclusion: {
      included: isCount(inc.included) ? inc.included : 0,
      notIncluded: isCount(inc.notIncluded) ? inc.notIncluded : 0,
      delays: c.list(inc.delays, 'inclusion.delays', (d, at) =>
        isObj(d) && isCount(d.delaySlots) && isCount(d.count)
          ? { delaySlots: d.delaySlots, count: d.count }
          : c.drop(at, 'expected delaySlots and count'),
      ),
    },
    health: checkHealth(c, v.health),
  };
  return { report, problems: c.problems };
}

/** Checks and sums the nodes' reports. */
export function buildDashboardModel(reports: readonly unknown[], nowMs: number): DashboardModel {
  const problems: string[] = [];
  const nodes: NodeDashboardReport[] = [];
  for (const [i, r] of reports.slice(0, MAX_ITEMS).entries()) {
    const checked = checkNodeReport(r, `node ${i}`);
    problems.push(...checked.problems);
    if (checked.report !== undefined) nodes.push(checked.report);
  }
  const validators = new Map<string, CommitteeView & { reportedBy: string[] }>();
  const outcomes = new Map<string, OutcomeCount>();
  const latencyCounts = LATENCY_BOUNDS_MS.map(() => 0).concat(0);
  const delays = new Map<number, number>();
  let included = 0;
  let notIncluded = 0;
  for (const n of nodes) {
    for (const v of n.validators) {
      const seen = validators.get(v.groupPublicKey);
      if (seen === undefined) validators.set(v.groupPublicKey, { ...v, reportedBy: [n.operator] });
      else if (!seen.reportedBy.includes(n.operator)) seen.reportedBy.push(n.operator);
    }
    for (const o of n.outcomes) {
      const key = `${o.epoch}/${o.duty}/${o.reason}`;
      const prev = outcomes.get(key);
      outcomes.set(key, { ...o, count: (prev?.count ?? 0) + o.count });
    }
    n.latencyCounts.forEach((count, i) => {
      latencyCounts[i] = (latencyCounts[i] ?? 0) + count;
    });
    included += n.inclusion.included;
    notIncluded += n.inclusion.notIncluded;
    for (const d of n.inclusion.delays) delays.set(d.delaySlots, (delays.get(d.delaySlots) ?? 0) + d.count);
  }
  return {
    generatedAtMs: nowMs,
    chain: nodes.find((n) => n.chain !== undefined)?.chain,
    nodes,
    validators: [...validators.values()].sort(
      (a, b) => (a.validatorIndex ?? Number.MAX_SAFE_INTEGER) - (b.validatorIndex ?? Number.MAX_SAFE_INTEGER),
    ),
    outcomes: [...outcomes.values()].sort(
      (a, b) => a.epoch - b.epoch || a.duty.localeCompare(b.duty) || a.reason.localeCompare(b.reason),
    ),
    latencyCounts,
    inclusion: {
      included,
      notIncluded,
      delays: [...delays].sort((a, b) => a[0] - b[0]).map(([delaySlots, count]) => ({ delaySlots, count })),
    },
    problems,
  };
}
