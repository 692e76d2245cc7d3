import { get, qs } from '../api.js';
import { h, clear, errorBox, info } from '../dom.js';
import { businessToday, addDays, dayPattern, timeZone } from '../time.js';
import { providers } from './providers.js';
import { stackedBars } from '../chart.js';

export const title = 'Reconciliation';

const columns = ['day', 'provider', 'account', 'delivered', 'failed', 'pending', 'unknown', 'missingReports', 'billedParts', 'callbacks', 'duplicates', 'rejected', 'corrected', 'pulled', 'resendCandidates'];
const numeric = new Set(columns.slice(3));
const labels = { missingReports: 'missing reports', billedParts: 'billed parts', resendCandidates: 'resend candidates' };

// Daily totals per provider (GET /reconciliation/daily), as a table and a stacked chart; the CSV is
// made from exactly the rows on screen.
export async function render(main, { query }) {
  // Business days in the reconciliation zone (Beijing by default), as the API counts them: not the UTC date.
  const today = businessToday();
  const from = query.get('from') ?? addDays(today, -6);
  const to = query.get('to') ?? today;
  const provider = query.get('provider') ?? '';

  const form = h('form', { class: 'inline', id: 'recon-form' },
    h('div', { class: 'field' }, h('label', { for: 'recon-from' }, 'From (day)'), dayInput('recon-from', 'from', from, true)),
    h('div', { class: 'field' }, h('label', { for: 'recon-to' }, 'To (day, inclusive)'), dayInput('recon-to', 'to', to)),
    h('div', { class: 'field' }, h('label', { for: 'recon-provider' }, 'Provider'),
      h('select', { id: 'recon-provider', name: 'provider' }, h('option', { value: '' }, 'All providers'), providers.map(p => h('option', { value: p, selected: p === provider }, p)))),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    location.hash = `#/reconciliation${qs({ from: data.get('from'), to: data.get('to'), provider: data.get('provider') })}`;
  });
  const out = h('section', { id: 'recon-results', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h2', {}, 'Daily reconciliation'),
    h('p', { class: 'muted small zone-note', id: 'recon-zone' }, `Business days in ${timeZone()}: a day runs from 00:00 to 24:00 there. Days as YYYY-MM-DD.`),
    h('div', { class: 'card' }, form), out);

  let body;
  try {
    body = await get(`/reconciliation/daily${qs({ from, to, provider })}`);
  } catch (e) {
    clear(out, e.status === 404
      ? h('div', { class: 'alert warn', id: 'recon-unavailable', role: 'status' }, h('strong', {}, 'Reconciliation is not available on this service'),
        'The endpoint GET /reconciliation/daily answered 404: this version of the ledger does not have it yet.')
      : errorBox(e));
    return;
  }

  const rows = Array.isArray(body) ? body : body.rows ?? body.items ?? [];
  if (rows.length === 0) {
    clear(out, info('No traffic in this range', `Nothing was reported between ${from} and ${to}${provider ? ` for ${provider}` : ''}.`));
    return;
  }
  const totals = Object.fromEntries([...numeric].map(c => [c, rows.reduce((sum, r) => sum + (Number(r[c]) || 0), 0)]));
  const download = h('button', { type: 'button', class: 'secondary', id: 'recon-csv' }, 'Download CSV (these rows)');
  download.addEventListener('click', () => saveCsv(rows, `reconciliation-daily-${from}-${to}${provider ? `-${provider}` : ''}.csv`));
  clear(out,
    h('div', { class: 'card chart' }, h('h3', {}, 'Messages per day by final status'), chartFor(rows)),
    h('div', { class: 'card' },
      h('div', { class: 'status-head' }, h('h3', {}, `${rows.length} rows`), download),
      h('table', { id: 'recon-table' },
        h('thead', {}, h('tr', {}, columns.map(c => h('th', { class: numeric.has(c) ? 'num' : '' }, labels[c] ?? c)))),
        h('tbody', {}, rows.map(r => h('tr', {}, columns.map(c => h('td', { class: numeric.has(c) ? 'num' : '' }, r[c] ?? (numeric.has(c) ? 0 : '—')))))),
        h('tfoot', {}, h('tr', { id: 'recon-totals' }, columns.map((c, i) => h('td', { class: numeric.has(c) ? 'num' : '' }, i === 0 ? 'Total' : numeric.has(c) ? totals[c] : '')))))));
}

export const dayInput = (id, name, value, autofocus = false) => h('input', {
  id, name, type: 'text', inputmode: 'numeric', pattern: dayPattern, placeholder: 'YYYY-MM-DD', value, required: true, autofocus, size: 11,
});

// One bar per day, provider and account (labelled with all three). `missingReports` is a subset of pending/unknown, so it is drawn out of them.
function chartFor(rows) {
  const bars = rows.map(r => {
    let missing = Number(r.missingReports) || 0;
    const pending = Math.max(0, (Number(r.pending) || 0) - missing);
    const fromPending = (Number(r.pending) || 0) - pending;
    const unknown = Math.max(0, (Number(r.unknown) || 0) - Math.max(0, missing - fromPending));
    return { lines: [r.day.slice(5), r.provider, r.account ?? 'default'], label: `${r.day} · ${r.provider} · account ${r.account ?? 'default'}`, parts: { delivered: Number(r.delivered) || 0, failed: Number(r.failed) || 0, pending, unknown, missing } };
  });
  return stackedBars(bars, ['delivered', 'failed', 'pending', 'unknown', 'missing']);
}

// A text cell a spreadsheet would run as a formula (leading =, +, -, @, tab or CR) gets a ' in front, as the
// service's own CSV does (CsvHelper's injection escape); numbers stay numbers, so -5 is still -5.
function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  const safe = typeof v !== 'number' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function saveCsv(rows, name) {
  const text = [columns.join(','), ...rows.map(r => columns.map(c => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
  // A BOM so spreadsheet programs read the UTF-8 correctly.
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
