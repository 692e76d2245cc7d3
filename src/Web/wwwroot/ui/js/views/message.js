import { get, enc } from '../api.js';
import { h, clear, badge, errorBox } from '../dom.js';
import { when, timeZone, timePattern, instantFromZoneTime, zoneTimeText } from '../time.js';
import { finality, categorySentence, ordinal } from '../words.js';
import { repliesTable } from './search.js';

export const title = 'Message';

let timer = null;
export function leave() { clearTimeout(timer); }

// One message: current status, its history as a vertical timeline (one line per report), a slider that
// shows the status as it stood after any line of it (or at a time), and the raw request behind each report
// (admin only, as the API decides).
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
  const lines = onePerReport(history.events ?? []);
  const asOfResult = h('div', { id: 'asof-result', 'aria-live': 'polite' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline' }, lines.map(entry));
  main.append(h('div', { class: 'layout-2' },
    h('section', { 'aria-labelledby': 'tl-title' }, h('h3', { id: 'tl-title' }, `History (${lines.length} ${lines.length === 1 ? 'entry' : 'entries'})`), timeline),
    h('section', { 'aria-labelledby': 'asof-title' }, h('h3', { id: 'asof-title' }, 'Back in time'), asOf(lines, base, asOfResult, timeline), asOfResult)));

  // Replies that name this message (where the provider links them); a failed lookup leaves the page as it is.
  try {
    const replies = await get(`/replies?provider=${enc(provider)}&inReplyTo=${enc(messageKey)}`);
    const section = repliesTable(replies.items, 'message-replies');
    if (section) main.append(section);
  } catch { /* the status and history above stand on their own */ }
}

function statusCard(s, heading, id) {
  const f = finality(s.status);
  const meaning = s.category ? categorySentence(s.category) : null;
  return h('section', { class: `card${id === 'asof-status' ? ' narrow' : ''}`, id },
    h('div', { class: 'status-head' },
      h('span', { class: 'muted' }, heading),
      h('span', { class: 'big', 'data-status': s.status }, s.status), badge(f.text, 'outline finality', f.title),
      h('span', {}, s.providerStatus ?? '', s.errorCode && s.errorCode !== s.providerStatus ? ` (${s.errorCode})` : '')),
    s.status === 'failed' ? h('p', { class: 'muted small finality-note' }, f.title) : null,
    s.description ? h('p', { class: 'description', lang: 'zh' }, s.description) : null,
    h('dl', { class: 'facts' },
      fact('Phone', h('span', { class: 'mono' }, s.phone ?? '—')), fact('Our reference', s.outId ?? '—'),
      fact('Reported by the provider at', when(s.reportedAt)), fact('Account', s.account ?? '—'),
      fact('First received', when(s.firstReceivedAt)), fact('Last received', when(s.lastReceivedAt)),
      fact('Reports', `${s.callbackCount} (${s.duplicateCount} duplicate, ${s.conflictCount ?? 0} after delivery)`), fact('Billed parts', s.billedParts ?? '—'),
      fact('What it means', s.category ? h('span', { class: 'meaning' }, meaning ?? s.category.replaceAll('_', ' '),
        s.retryable ? ' Worth sending again.' : '') : '—')));
}

const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value)];

// One line per report. Stores of earlier builds kept two events per report (the request, then its
// reading): they are shown as one line, placed at the reading (the status changed there).
function onePerReport(events) {
  const lines = [];
  for (const e of events) {
    const last = lines[lines.length - 1];
    if (e.type === 'report_interpreted' && last?.type === 'callback_received' && last.requestId === e.requestId && !last.merged) {
      lines[lines.length - 1] = { ...e, type: 'report_received', receivedAt: last.receivedAt, merged: true };
    } else {
      lines.push(e);
    }
  }
  return lines.map((line, i) => ({ ...line, position: i + 1 }));
}

function label(e) {
  switch (e.type) {
    case 'report_received': return e.source === 'pull' ? 'Report fetched from the provider' : 'Report from the provider';
    case 'callback_received': return 'Request received';
    case 'report_interpreted': return 'Report read';
    case 'interpretation_corrected': return 'Corrected by a re-read (replay)';
    case 'callback_rescued': case 'request_rescued': return 'Rescued from quarantine by a re-read';
    case 'message_submitted': return 'Registered as sent';
    case 'pull_found_no_report': return 'Asked the provider: no report yet';
    default: return e.type.replaceAll('_', ' ');
  }
}

// What a report did to the status, in words (the class keeps the API's name for colour).
const effects = {
  applied: ['changed the status', 'This report set the status.'],
  superseded: ['replaced later', 'A later report replaced what this one said.'],
  duplicate: ['duplicate', 'The same report again: recorded, changes nothing.'],
  conflict: ['after delivery: ignored', 'A failure reported after the delivery: delivered is final, so it is kept as evidence only.'],
  corrected: ['correction', 'A re-read with a newer parser changed how this report is read.'],
};
const carriesRequest = (type) => type === 'report_received' || type === 'callback_received';

function entry(e) {
  const corrected = /correct/i.test(e.type);
  const effect = corrected ? 'corrected' : e.effect;
  const [effectText, effectTitle] = effects[effect] ?? [effect, null];
  const li = h('li', { class: `${carriesRequest(e.type) ? 'received' : ''} ${e.status ?? ''} effect-${effect ?? 'none'}`, 'data-position': e.position, 'data-version': e.version },
    h('div', { class: 'tl-head' },
      h('strong', {}, `${e.position}. ${label(e)}`),
      e.status ? badge(e.status) : null,
      effect ? badge(effectText, effect, effectTitle) : null,
      e.duplicate && effect !== 'duplicate' ? badge('duplicate') : null,
      e.providerStatus ? h('span', { class: 'mono' }, e.providerStatus) : null,
      e.errorCode && e.errorCode !== e.providerStatus ? h('span', { class: 'mono' }, e.errorCode) : null,
      e.part ? h('span', { class: 'muted small' }, `part ${e.part.sequence} of ${e.part.total}`) : null,
      e.category && e.category !== 'delivered' ? h('span', { class: 'muted small category', title: categorySentence(e.category) }, e.category.replaceAll('_', ' ')) : null,
      e.statusAfter && e.type !== 'callback_received' ? h('span', { class: 'muted small' }, `status then: ${e.statusAfter}`) : null),
    h('div', { class: 'tl-times' },
      'Arrived ', when(e.receivedAt),
      e.providerTime ? [' · provider time ', when(e.providerTime), e.providerTimeRaw ? ` (sent as “${e.providerTimeRaw}”)` : ''] : '',
      e.gapSeconds != null ? ` · ${formatGap(e.gapSeconds)} after the previous report` : ''),
    e.description ? h('div', { class: 'tl-desc', lang: 'zh' }, e.description) : null,
    e.parserVersion ? h('div', { class: 'muted small' }, `read by parser ${e.parserVersion}`) : null);
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
        h('div', { class: 'small' }, h('strong', {}, `${r.method} `), h('span', { class: 'mono' }, r.url), ` · from ${r.remoteAddress ?? '?'} · ${when(r.receivedAt)} · ${r.outcome}`),
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

// "What did the customer see then?": the status as it stood after any line of the history (the slider,
// by position) or at a clock time in the business zone.
function asOf(lines, base, out, timeline) {
  if (lines.length === 0) return h('p', { class: 'muted' }, 'No history yet.');
  const count = lines.length;
  const range = h('input', { type: 'range', id: 'asof-range', min: 1, max: count, step: 1, value: count, 'aria-describedby': 'asof-label' });
  const label = h('output', { id: 'asof-label', for: 'asof-range' });
  const describe = (n) => `after the ${ordinal(n)} of ${count} entries · arrived ${when(lines[n - 1].receivedAt)}`;
  const mark = (n) => { for (const li of timeline.children) li.classList.toggle('current', Number(li.dataset.position) === n); };
  const show = async () => {
    const n = Number(range.value);
    label.textContent = describe(n);
    mark(n);
    try {
      const s = await get(`${base}?version=${lines[n - 1].version}`);
      if (Number(range.value) !== n) return; // a later move won
      clear(out, statusCard(s, `As it stood after the ${ordinal(n)} entry`, 'asof-status'));
    } catch (e) {
      clear(out, errorBox(e));
    }
  };
  range.addEventListener('input', () => { label.textContent = describe(Number(range.value)); clearTimeout(timer); timer = setTimeout(show, 120); });
  label.textContent = describe(count);
  return h('div', { class: 'card asof' },
    h('label', { for: 'asof-range' }, 'Move along the history'), range, h('div', {}, label),
    h('p', { class: 'muted small' }, 'Shows the status exactly as it stood after that entry. Arrow keys move one entry.'),
    atTime(lines, base, out, mark));
}

// "I never got the code at 10:32": the status as it stood at a clock time (business zone), i.e. after
// every report the ledger had received by then.
function atTime(lines, base, out, mark) {
  const input = h('input', { type: 'text', id: 'asof-time', inputmode: 'numeric', pattern: timePattern, required: true, autocomplete: 'off',
    placeholder: zoneTimeText(Date.now()).slice(0, 16), size: 19 });
  const form = h('form', { id: 'asof-time-form', class: 'asof-time' },
    h('label', { for: 'asof-time' }, `Or at a time (${timeZone()}, YYYY-MM-DD HH:mm)`), input, h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const instant = instantFromZoneTime(input.value);
    if (!instant) return;
    const at = new Date(instant);
    const known = lines.filter(e => new Date(e.receivedAt) <= at);
    mark(known.length ? known[known.length - 1].position : null);
    try {
      const s = await get(`${base}?asOf=${enc(instant)}`);
      clear(out, statusCard(s, `Status at ${when(instant)}`, 'asof-status'));
    } catch (e) {
      clear(out, errorBox(e));
    }
  });
  return form;
}
