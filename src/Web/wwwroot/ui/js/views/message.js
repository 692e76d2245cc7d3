import { get, enc } from '../api.js';
import { h, clear, utc, badge, errorBox } from '../dom.js';
import { repliesTable } from './search.js';

export const title = 'Message';

let timer = null;
export function leave() { clearTimeout(timer); }

// One message: current status, every history entry as a vertical timeline, an "as of" slider over the
// stream's versions, and the raw request behind each callback (admin only, as the API decides).
export async function render(main, { segments }) {
  const [provider, messageKey] = segments;
  if (!provider || !messageKey) {
    main.append(errorBox({ status: 400, detail: 'A message page needs a provider and a message key.' }));
    return;
  }
  const base = `/messages/${enc(provider)}/${enc(messageKey)}`;
  main.append(h('p', {}, h('a', { href: '#/search' }, '← Search')), h('h2', { tabindex: '-1', autofocus: true }, `${provider} · `, h('span', { class: 'mono' }, messageKey)));

  let status, history;
  try {
    [status, history] = await Promise.all([get(base), get(`${base}/history`)]);
  } catch (e) {
    main.append(errorBox(e));
    return;
  }

  main.append(statusCard(status, 'Current status', 'current-status'));
  const events = history.events ?? [];
  const asOfResult = h('div', { id: 'asof-result', 'aria-live': 'polite' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline' }, events.map(entry));
  main.append(h('div', { class: 'layout-2' },
    h('section', { 'aria-labelledby': 'tl-title' }, h('h3', { id: 'tl-title' }, `History (${events.length} events)`), timeline),
    h('section', { 'aria-labelledby': 'asof-title' }, h('h3', { id: 'asof-title' }, 'As of'), asOf(events, base, asOfResult, timeline), asOfResult)));

  // Replies that name this message (where the provider links them); a failed lookup leaves the page as it is.
  try {
    const replies = await get(`/replies?provider=${enc(provider)}&inReplyTo=${enc(messageKey)}`);
    const section = repliesTable(replies.items, 'message-replies');
    if (section) main.append(section);
  } catch { /* the status and history above stand on their own */ }
}

function statusCard(s, heading, id) {
  return h('section', { class: `card${id === 'asof-status' ? ' narrow' : ''}`, id },
    h('div', { class: 'status-head' },
      h('span', { class: 'muted' }, heading),
      h('span', { class: 'big', 'data-status': s.status }, s.status), badge(s.final ? 'final' : 'not final', 'outline'),
      h('span', {}, s.providerStatus ?? '', s.errorCode && s.errorCode !== s.providerStatus ? ` (${s.errorCode})` : '')),
    s.description ? h('p', { class: 'description', lang: 'zh' }, s.description) : null,
    h('dl', { class: 'facts' },
      fact('Phone', h('span', { class: 'mono' }, s.phone ?? '—')), fact('Our reference', s.outId ?? '—'),
      fact('Reported at (provider time)', utc(s.reportedAt)), fact('Account', s.account ?? '—'),
      fact('First received', utc(s.firstReceivedAt)), fact('Last received', utc(s.lastReceivedAt)),
      fact('Callbacks', `${s.callbackCount} (${s.duplicateCount} duplicate, ${s.conflictCount ?? 0} conflict)`), fact('Billed parts', s.billedParts ?? '—'),
      fact('Version', s.version), fact('Parser', s.parserVersion ?? '—'),
      fact('What it means', s.category ? `${s.category.replaceAll('_', ' ')}${s.retryable ? ' (worth sending again)' : ''}` : '—')));
}

const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value)];

// report_received: one report (the raw item and its reading); stores of earlier builds show the pair.
const typeLabels = { report_received: 'Report received', callback_received: 'Callback received', report_interpreted: 'Report interpreted' };
const carriesRequest = (type) => type === 'report_received' || type === 'callback_received';

function entry(e) {
  const corrected = /correct/i.test(e.type);
  const effect = corrected ? 'corrected' : e.effect;
  const li = h('li', { class: `${carriesRequest(e.type) ? 'received' : ''} ${e.status ?? ''} effect-${effect ?? 'none'}`, 'data-version': e.version },
    h('div', { class: 'tl-head' },
      h('strong', {}, `#${e.version} ${typeLabels[e.type] ?? e.type.replaceAll('_', ' ')}`),
      e.status ? badge(e.status) : null,
      effect ? badge(effect === 'applied' ? 'applied' : effect, effect) : null,
      e.duplicate && effect !== 'duplicate' ? badge('duplicate') : null,
      e.providerStatus ? h('span', { class: 'mono' }, e.providerStatus) : null,
      e.errorCode && e.errorCode !== e.providerStatus ? h('span', { class: 'mono' }, e.errorCode) : null,
      e.part ? h('span', { class: 'muted small' }, `part ${e.part.sequence} of ${e.part.total}`) : null,
      e.category && e.category !== 'delivered' ? h('span', { class: 'muted small category' }, e.category.replaceAll('_', ' ')) : null,
      e.statusAfter && e.type !== 'callback_received' ? h('span', { class: 'muted small' }, `→ status ${e.statusAfter}`) : null),
    h('div', { class: 'tl-times' },
      'Arrived ', utc(e.receivedAt),
      e.providerTime ? [' · provider time ', utc(e.providerTime), e.providerTimeRaw ? ` (sent as “${e.providerTimeRaw}”)` : ''] : '',
      e.gapSeconds != null ? ` · ${formatGap(e.gapSeconds)} after the previous callback` : ''),
    e.description ? h('div', { class: 'tl-desc', lang: 'zh' }, e.description) : null,
    e.parserVersion ? h('div', { class: 'muted small' }, `parser ${e.parserVersion}`) : null);
  if (carriesRequest(e.type) && e.requestId) li.append(...rawRequest(e.requestId));
  return li;
}

function formatGap(s) {
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

function rawRequest(requestId) {
  const panel = h('div', { class: 'raw', hidden: true });
  const button = h('button', { type: 'button', class: 'secondary raw-toggle', 'aria-expanded': 'false' }, 'Raw request');
  let loaded = false;
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (!open || loaded) return;
    loaded = true;
    clear(panel, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const r = await get(`/requests/${enc(requestId)}`);
      clear(panel,
        h('div', { class: 'small' }, h('strong', {}, `${r.method} `), h('span', { class: 'mono' }, r.url), ` · from ${r.remoteAddress ?? '?'} · ${utc(r.receivedAt)} · ${r.outcome}`),
        h('pre', { class: 'raw-headers' }, r.headers.map(x => `${x.name}: ${x.value}`).join('\n')),
        h('pre', { class: 'raw-body' }, r.bodyText ?? `(not text in its declared charset; base64)\n${r.bodyBase64}`),
        r.bodyTruncated ? h('p', { class: 'muted small' }, 'Body truncated at the stored limit.') : null);
    } catch (e) {
      loaded = false;
      clear(panel, e.status === 403
        ? h('div', { class: 'alert warn raw-denied', role: 'alert' }, h('strong', {}, 'Admin only'), 'Raw requests (headers, body, source address) can be opened with an admin key only. ', e.detail ?? '')
        : errorBox(e));
    }
  });
  return [button, panel];
}

function asOf(events, base, out, timeline) {
  if (events.length === 0) return h('p', { class: 'muted' }, 'No events.');
  const last = events[events.length - 1].version;
  const range = h('input', { type: 'range', id: 'asof-range', min: events[0].version, max: last, step: 1, value: last, 'aria-describedby': 'asof-label' });
  const label = h('output', { id: 'asof-label', for: 'asof-range' });
  const describe = (v) => {
    const e = events.find(x => x.version === v);
    return `version ${v} of ${last}${e ? ` · arrived ${utc(e.receivedAt)}` : ''}`;
  };
  const show = async () => {
    const v = Number(range.value);
    label.textContent = describe(v);
    for (const li of timeline.children) li.classList.toggle('current', Number(li.dataset.version) === v);
    try {
      const s = await get(`${base}?version=${v}`);
      if (Number(range.value) !== v) return; // a later move won
      clear(out, statusCard(s, `Status as of version ${v}`, 'asof-status'));
    } catch (e) {
      clear(out, errorBox(e));
    }
  };
  range.addEventListener('input', () => { label.textContent = describe(Number(range.value)); clearTimeout(timer); timer = setTimeout(show, 120); });
  label.textContent = describe(last);
  return h('div', { class: 'card asof' },
    h('label', { for: 'asof-range' }, 'Move to a moment in the history'), range, h('div', {}, label),
    h('p', { class: 'muted small' }, 'Shows the status exactly as it stood after that event (GET …?version=n). Arrow keys move one event.'),
    atTime(events, base, out, timeline));
}

// "I never got the code at 10:32": the status as it stood at a clock time (the browser's time zone),
// i.e. after every event the ledger had received by then (GET …?asOf=instant).
function atTime(events, base, out, timeline) {
  const input = h('input', { type: 'datetime-local', id: 'asof-time', step: 1, required: true });
  const form = h('form', { id: 'asof-time-form', class: 'asof-time' },
    h('label', { for: 'asof-time' }, 'Or at a time (your time zone)'), input, h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const at = new Date(input.value);
    if (Number.isNaN(at.getTime())) return;
    const instant = at.toISOString();
    const known = events.filter(e => new Date(e.receivedAt) <= at);
    const v = known.length ? known[known.length - 1].version : null;
    for (const li of timeline.children) li.classList.toggle('current', Number(li.dataset.version) === v);
    try {
      const s = await get(`${base}?asOf=${enc(instant)}`);
      clear(out, statusCard(s, `Status at ${utc(instant)}`, 'asof-status'));
    } catch (e) {
      clear(out, errorBox(e));
    }
  });
  return form;
}
