// The dashboard's HTML: one page of plain HTML (no library, nothing loaded from elsewhere) whose
// sections are rendered here from the model, and a small script that fetches the JSON model and
// the re-rendered sections every few seconds (charts are <img> of SVG rendered on the server, so
// their text can never run as script). Everything that comes from a node, a peer or the
// configuration is escaped.
import { createHash } from 'node:crypto';
import { latencyBucketLabel } from './charts.ts';
import type { DashboardModel, NodeDashboardReport } from './model.ts';

export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** `0x1234…abcd` with the whole value as tooltip. */
function short(value: string): string {
  const text = value.length > 14 ? `${value.slice(0, 6)}…${value.slice(-4)}` : value;
  return `<span class="mono" title="${escapeHtml(value)}">${escapeHtml(text)}</span>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);
const yes = (ok: boolean, good = 'yes', bad = 'no') =>
  `<span class="${ok ? 'ok' : 'bad'}">${escapeHtml(ok ? good : bad)}</span>`;

function tiles(model: DashboardModel): string {
  const submitted = model.outcomes.filter((o) => o.reason === 'submitted').reduce((s, o) => s + o.count, 0);
  const total = model.outcomes.reduce((s, o) => s + o.count, 0);
  const peersExpected = model.nodes.reduce((s, n) => s + n.health.peersExpected, 0);
  const peersConnected = model.nodes.reduce((s, n) => s + n.health.peersConnected, 0);
  const tile = (key: string, label: string, value: string) =>
    `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value" data-key="${key}">${escapeHtml(value)}</div></div>`;
  return `<div class="tiles" data-generated="${model.generatedAtMs}">
${tile('slot', 'slot', model.chain === undefined ? '–' : String(model.chain.slot))}
${tile('epoch', 'epoch', model.chain === undefined ? '–' : String(model.chain.epoch))}
${tile('validators', 'validators', String(model.validators.length))}
${tile('duties', 'duties submitted / ended', `${submitted} / ${total}`)}
${tile('peers', 'peers connected', `${peersConnected} / ${peersExpected}`)}
${tile('included', 'attestations included', `${model.inclusion.included} / ${model.inclusion.included + model.inclusion.notIncluded}`)}
</div>`;
}

function validatorsSection(model: DashboardModel): string {
  const rows = model.validators.map((v, i) => {
    const mine = v.members.filter((m) => v.reportedBy.includes(m.operator)).map((m) => String(m.shareIndex));
    const members = v.members
      .map(
        (m) =>
          `<li${v.reportedBy.includes(m.operator) ? ' class="self"' : ''}>${m.shareIndex}: ${short(m.operator)}</li>`,
      )
      .join('');
    return [
      v.validatorIndex === undefined ? '<span class="bad">not on chain</span>' : String(v.validatorIndex),
      short(v.groupPublicKey),
      `${v.threshold} of ${v.members.length}`,
      escapeHtml(mine.join(', ') || '–'),
      `<details id="members-${i}"><summary>${v.members.length} operators</summary><ul class="members">${members}</ul></details>`,
    ];
  });
  return `<section id="validators"><h2>Validators and committees</h2>
${table(['index', 'validator key', 'threshold', model.nodes.length > 1 ? 'share indices reporting' : "this node's share index", 'committee (share index: operator)'], rows, 'No validators served.')}
</section>`;
}

function outcomesSection(model: DashboardModel, chartVersion: string): string {
  const reasons = [...new Set(model.outcomes.map((o) => o.reason))].sort();
  const byRow = new Map<string, Map<string, number>>();
  for (const o of model.outcomes) {
    const key = `${o.epoch}\u0000${o.duty}`;
    const row = byRow.get(key) ?? new Map<string, number>();
    row.set(o.reason, (row.get(o.reason) ?? 0) + o.count);
    byRow.set(key, row);
  }
  const rows = [...byRow].reverse().map(([key, counts]) => {
    const [epoch = '', duty = ''] = key.split('\u0000');
    return [
      escapeHtml(epoch),
      escapeHtml(duty),
      ...reasons.map((r) => {
        const n = counts.get(r) ?? 0;
        return n === 0 ? '' : `<span class="reason-${escapeHtml(r)}">${n}</span>`;
      }),
    ];
  });
  return `<section id="outcomes"><h2>Duty outcomes per epoch</h2>
<img class="chart" id="chart-outcomes" alt="duty outcomes per epoch, stacked by reason" src="charts/outcomes.svg?v=${chartVersion}">
${table(['epoch', 'duty', ...reasons], rows, 'No duty has ended yet.')}
</section>`;
}

function latencySection(model: DashboardModel, chartVersion: string): string {
  const total = model.latencyCounts.reduce((s, c) => s + c, 0);
  let median = '–';
  let seen = 0;
  for (const [i, c] of model.latencyCounts.entries()) {
    seen += c;
    if (total > 0 && seen >= total / 2) {
      median = latencyBucketLabel(i);
      break;
    }
  }
  return `<section id="latency"><h2>Consensus latency</h2>
<p><span data-key="signatures">${total}</span> group signatures; median ${escapeHtml(median)}.</p>
<img class="chart" id="chart-latency" alt="consensus latency histogram" src="charts/latency.svg?v=${chartVersion}">
</section>`;
}

function inclusionSection(model: DashboardModel): string {
  const { included, notIncluded, delays } = model.inclusion;
  const all = included + notIncluded;
  const rate = all === 0 ? '–' : `${((100 * included) / all).toFixed(1)} %`;
  return `<section id="inclusion"><h2>Attestation inclusion</h2>
<p>Included <b>${included}</b>, not included <b>${notIncluded}</b> (${escapeHtml(rate)}).</p>
${table(
  ['inclusion delay (slots)', 'attestations'],
  delays.map((d) => [String(d.delaySlots), String(d.count)]),
  'No attestation checked yet.',
)}
</section>`;
}

function nodeHealth(n: NodeDashboardReport, many: boolean): string {
  const peers = n.health.peers.map((p) => [
    short(p.operator),
    yes(p.connected),
    ms(p.clockOffsetMs),
    ms(p.rttMs),
  ]);
  const beacon = n.health.beaconNodes.map((b) => [
    escapeHtml(b.label),
    escapeHtml(b.host || '–'),
    b.lastOk === undefined ? '–' : yes(b.lastOk, 'ok', 'failed'),
    ms(b.lastDurationMs),
    `${b.requests} / ${b.failures}`,
  ]);
  const checks = n.health.checks
    .map(
      (c) =>
        `<li>${yes(c.ok, 'ok', 'failing')} ${escapeHtml(c.name)}${c.detail ? `: ${escapeHtml(c.detail)}` : ''}</li>`,
    )
    .join('');
  return `<div class="node">${many ? `<h3>Operator ${short(n.operator)}</h3>` : ''}
<p>Peers connected <b>${n.health.peersConnected}</b> of ${n.health.peersExpected}.</p>
${checks === '' ? '' : `<ul class="checks">${checks}</ul>`}
${table(['peer', 'connected', 'clock offset', 'round trip'], peers, 'No committee peers.')}
${table(['beacon node', 'host', 'last request', 'last latency', 'requests / failed'], beacon, 'No beacon node requests yet.')}
</div>`;
}

/** The page's sections (also served alone, for the refresh). */
export function renderDashboardSections(model: DashboardModel): string {
  const version = String(model.generatedAtMs);
  const problems =
    model.problems.length === 0
      ? ''
      : `<section id="problems"><h2>Data dropped</h2><ul>${model.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></section>`;
  return `${tiles(model)}
${validatorsSection(model)}
<div class="row">${outcomesSection(model, version)}
${latencySection(model, version)}</div>
${inclusionSection(model)}
<section id="health"><h2>Operator health</h2>
${model.nodes.map((n) => nodeHealth(n, model.nodes.length > 1)).join('\n') || '<p class="empty">No node reports.</p>'}
</section>
${problems}`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#222}
header{background:#1c2733;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:baseline}
header h1{font-size:18px;margin:0}#updated{font-size:13px;opacity:.8}
main{padding:10px 20px}section{background:#fff;border-radius:6px;padding:8px 14px;margin:10px 0}
h2{font-size:16px;margin:6px 0}h3{font-size:14px}.row{display:flex;flex-wrap:wrap;gap:10px}.row section{flex:1;min-width:460px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid #e3e3e3;text-align:left}
.tiles{display:flex;gap:10px;flex-wrap:wrap}.tile{background:#fff;border-radius:6px;padding:8px 14px;min-width:120px}
.tile .label{font-size:12px;color:#666}.tile .value{font-size:22px;font-weight:600}
.mono{font-family:ui-monospace,monospace}.ok{color:#2e7d32}.bad{color:#c62828}.empty{color:#777}
.self{font-weight:600}.members{columns:2;column-gap:24px;list-style:none;padding-left:0;font-size:12px;margin:4px 0}.chart{max-width:100%}
.reason-submitted{color:#2e7d32}.reason-late,.reason-consensus-timeout,.reason-failed{color:#c62828}`;

/** Refreshes the summary from the JSON model and the sections (with the charts) every few seconds. */
const SCRIPT = `const REFRESH_MS = 3000;
const updated = document.getElementById('updated');
async function refresh() {
  try {
    const model = await (await fetch('data.json', { cache: 'no-store' })).json();
    const html = await (await fetch('sections', { cache: 'no-store' })).text();
    // keep the committee lists the operator opened open
    const open = [...document.querySelectorAll('details[open]')].map((d) => d.id);
    document.getElementById('sections').innerHTML = html;
    for (const id of open) document.getElementById(id)?.setAttribute('open', '');
    const slot = model.chain ? ' · slot ' + model.chain.slot : '';
    updated.textContent = 'updated ' + new Date(model.generatedAtMs).toLocaleTimeString() + slot;
  } catch (e) {
    updated.textContent = 'node not answering (' + String(e && e.message || e) + ')';
  }
}
setInterval(refresh, REFRESH_MS);`;

/** sha256 of the inline script, for the page's Content-Security-Policy. */
export const DASHBOARD_SCRIPT_SHA256 = createHash('sha256').update(SCRIPT).digest('base64');

/** The whole page; `basePath` is where the dashboard is served (its links are relative to it). */
export function renderDashboardPage(
  model: DashboardModel,
  options: { readonly basePath: string; readonly title?: string },
): string {
  const title = options.title ?? 'Diva operator dashboard';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<base href="${escapeHtml(options.basePath)}/">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body>
<header><h1>${escapeHtml(title)}</h1><span id="updated">updated ${escapeHtml(new Date(model.generatedAtMs).toISOString())}</span></header>
<main id="sections">
${renderDashboardSections(model)}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
