import { get, getText } from '../api.js';
import { h, clear, errorBox, info } from '../dom.js';
import { when } from '../time.js';
import { reason } from '../words.js';

export const title = 'Operations';

let timer = null;
let previous = null;
export function leave() { clearInterval(timer); timer = null; }

const POLL_MS = 5000;

/** Prometheus text → [{ name, labels, value }] for the ledger_ series. */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^(ledger_[a-z_]+)(?:\{([^}]*)\})?\s+([0-9.eE+-]+|NaN)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function sumBy(series, name, key) {
  const totals = new Map();
  for (const s of series.filter(x => x.name === name)) totals.set(s.labels[key] ?? '—', (totals.get(s.labels[key] ?? '—') ?? 0) + s.value);
  return totals;
}

// Live counters from GET /metrics (callbacks per minute per provider, rejections by reason) and the
// quarantine from GET /quarantine (admin), refreshed every few seconds while the page is open.
export async function render(main) {
  const live = h('section', { id: 'ops-live', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Reading /metrics…'));
  const quarantine = h('section', { id: 'ops-quarantine' }, h('p', { class: 'muted' }, 'Loading the quarantine…'));
  main.append(h('h2', { tabindex: '-1', autofocus: true }, 'Operations'), live, h('h3', {}, 'Quarantine'), quarantine);
  previous = null;
  const refresh = async () => {
    await Promise.all([counters(live), quarantineList(quarantine)]);
  };
  await refresh();
  timer = setInterval(refresh, POLL_MS);
}

async function counters(out) {
  let series;
  try {
    series = parseMetrics(await getText('/metrics'));
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  const now = Date.now();
  const received = sumBy(series, 'ledger_callbacks_received_total', 'provider');
  const accepted = sumBy(series, 'ledger_callbacks_accepted_total', 'provider');
  const probes = sumBy(series, 'ledger_callbacks_probes_total', 'provider');
  const refusedBy = sumBy(series, 'ledger_callbacks_rejected_total', 'provider');
  const rejected = sumBy(series, 'ledger_callbacks_rejected_total', 'reason');
  const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  // A connectivity probe (Alibaba's GET check) is answered and kept, but it is neither a report nor a
  // refusal: it is counted on its own, and out of the rates.
  const totalProbes = sum(probes);
  const totalReceived = sum(received) - totalProbes;
  const totalRejected = sum(rejected);
  const perMinute = (provider) => {
    if (!previous) return null;
    const minutes = (now - previous.at) / 60000;
    return minutes > 0 ? ((received.get(provider) ?? 0) - (previous.received.get(provider) ?? 0)) / minutes : null;
  };
  const providers = [...received.keys()].sort();
  const table = providers.length === 0
    ? info('No callbacks yet', 'No provider has called this instance since it started.')
    : h('table', { id: 'ops-providers' },
      h('thead', {}, h('tr', {}, ['Provider', 'Requests / min', 'Accepted', 'Refused', 'Connectivity checks'].map((t, i) => h('th', { class: i ? 'num' : '' }, t)))),
      h('tbody', {}, providers.map(p => h('tr', {}, h('td', {}, p),
        h('td', { class: 'num' }, perMinute(p) === null ? '…' : perMinute(p).toFixed(1)),
        h('td', { class: 'num' }, accepted.get(p) ?? 0), h('td', { class: 'num' }, refusedBy.get(p) ?? 0),
        h('td', { class: 'num', title: 'Answered and kept; not a report' }, probes.get(p) ?? 0)))));
  const reasons = [...rejected.entries()].sort((a, b) => b[1] - a[1]);
  clear(out,
    h('div', { class: 'counters' },
      counter('Callback requests (reports and refusals)', totalReceived),
      counter('Refused', totalRejected),
      counter('Refusal rate', totalReceived ? `${((100 * totalRejected) / totalReceived).toFixed(1)} %` : '—'),
      counter('Connectivity checks answered', totalProbes)),
    h('div', { class: 'layout-2' },
      h('div', { class: 'card' }, h('h3', {}, 'Per provider'), table,
        h('p', { class: 'muted small' }, `Counters of this instance since it started; the rate compares two readings ${POLL_MS / 1000} s apart. `,
          'A connectivity check (Alibaba calls the URL with an empty GET to see that it answers) is neither accepted nor refused.')),
      h('div', { class: 'card' }, h('h3', {}, 'Refusals by reason'), reasons.length === 0 ? h('p', { class: 'muted' }, 'No refusals.') :
        h('table', { id: 'ops-reasons' }, h('thead', {}, h('tr', {}, h('th', {}, 'Reason'), h('th', { class: 'num' }, 'Count'), h('th', { class: 'num' }, 'Share'))),
          h('tbody', {}, reasons.map(([code, n]) => h('tr', {}, h('td', {}, reason(code)), h('td', { class: 'num' }, n),
            h('td', { class: 'num' }, totalReceived ? `${((100 * n) / totalReceived).toFixed(1)} %` : '—'))))))));
  previous = { at: now, received };
}

async function quarantineList(out) {
  let page;
  try {
    page = await get('/quarantine?pageSize=50');
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  if (page.total === 0) {
    clear(out, info('The quarantine is empty', 'No request has been refused.'));
    return;
  }
  clear(out, h('div', { class: 'card' },
    h('p', { id: 'ops-quarantine-size' }, h('strong', {}, page.total), ` request${page.total === 1 ? '' : 's'} in quarantine${page.total > page.items.length ? ` (newest ${page.items.length} shown)` : ''}.`),
    h('table', {}, h('thead', {}, h('tr', {}, ['Received', 'Provider', 'Reason', 'Verification', 'Path', 'From', 'Request'].map(t => h('th', {}, t)))),
      h('tbody', {}, page.items.map(q => h('tr', {},
        h('td', {}, when(q.receivedAt)), h('td', {}, q.provider, q.account ? ` / ${q.account}` : ''), h('td', {}, reason(q.reason)),
        h('td', {}, q.verification), h('td', { class: 'mono' }, `${q.method} ${q.path}`), h('td', { class: 'mono' }, q.remoteAddress ?? '—'),
        h('td', { class: 'mono small' }, q.requestId)))))));
}

const counter = (label, value) => h('div', { class: 'counter' }, h('div', { class: 'v' }, value), h('div', { class: 'l' }, label));
