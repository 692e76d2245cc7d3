import { get, qs, enc } from '../api.js';
import { h, clear, badge, errorBox, info } from '../dom.js';
import { when, businessToday, addDays, timeZone } from '../time.js';
import { category } from '../words.js';
import { dayInput } from './reconciliation.js';
import { providers } from './providers.js';

export const title = 'Resend candidates';

// Messages worth sending again (GET /resend-candidates): retryable failures, and registered messages whose
// report is still missing after pulling. Never a delivered message, never a permanent failure. The CSV is
// made from exactly the rows on screen (a link could not carry the API key), in the columns of `format=csv`.
export async function render(main, { query }) {
  const today = businessToday();
  const from = query.get('from') ?? addDays(today, -6);
  const to = query.get('to') ?? today;
  const provider = query.get('provider') ?? '';
  const account = query.get('account') ?? '';

  const form = h('form', { class: 'inline', id: 'resend-form' },
    h('div', { class: 'field' }, h('label', { for: 'resend-from' }, 'From (day)'), dayInput('resend-from', 'from', from, true)),
    h('div', { class: 'field' }, h('label', { for: 'resend-to' }, 'To (day, inclusive)'), dayInput('resend-to', 'to', to)),
    h('div', { class: 'field' }, h('label', { for: 'resend-provider' }, 'Provider'),
      h('select', { id: 'resend-provider', name: 'provider' }, h('option', { value: '' }, 'All providers'), providers.map(p => h('option', { value: p, selected: p === provider }, p)))),
    h('div', { class: 'field' }, h('label', { for: 'resend-account' }, 'Account'), h('input', { id: 'resend-account', name: 'account', value: account })),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    location.hash = `#/resend${qs({ from: data.get('from'), to: data.get('to'), provider: data.get('provider'), account: data.get('account') })}`;
  });
  const out = h('section', { id: 'resend-results', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h2', {}, 'Resend candidates'),
    h('p', { class: 'muted small' }, 'Retryable failures (unreachable, rate limited, expired…) and registered messages still missing a final report after the pull gave up. ',
      `Business days in ${timeZone()}, as YYYY-MM-DD.`),
    h('div', { class: 'card' }, form), out);

  let body;
  try {
    body = await get(`/resend-candidates${qs({ from, to, provider, account })}`);
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }

  const rows = body.rows ?? [];
  if (rows.length === 0) {
    clear(out, info('Nothing to resend', `No retryable failure or unfilled missing report between ${from} and ${to}${provider ? ` for ${provider}` : ''}.`));
    return;
  }
  const csv = h('button', { type: 'button', class: 'secondary', id: 'resend-csv' }, 'Download CSV (these rows)');
  csv.addEventListener('click', () => saveCsv(rows, `resend-candidates-${from}-${to}.csv`));
  clear(out, h('div', { class: 'card' },
    h('div', { class: 'status-head' }, h('h3', {}, `${rows.length} ${rows.length === 1 ? 'message' : 'messages'}`), csv),
    h('table', { id: 'resend-table' },
      h('thead', {}, h('tr', {}, ['Provider', 'Account', 'Message', 'Status', 'What it means', 'Why a candidate', 'Since'].map(c => h('th', {}, c)))),
      h('tbody', {}, rows.map(r => h('tr', {},
        h('td', {}, r.provider), h('td', {}, r.account),
        h('td', { class: 'mono' }, h('a', { href: `#/message/${enc(r.provider)}/${enc(r.messageKey)}` }, r.messageKey)),
        h('td', {}, badge(r.status, r.status === 'failed' ? 'failed' : 'pending')),
        h('td', {}, category(r.category)), h('td', {}, r.reason), h('td', {}, when(r.since))))))));
}

const columns = ['provider', 'account', 'messageKey', 'status', 'category', 'reason', 'since'];

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function saveCsv(rows, name) {
  const text = [columns.join(','), ...rows.map(r => columns.map(c => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
