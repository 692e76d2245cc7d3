import { get, post, enc } from '../api.js';
import { h, clear, badge, errorBox } from '../dom.js';
import { when, timeZone, timePattern, instantFromZoneTime } from '../time.js';
import { providers } from './providers.js';

export const title = 'Replays';

let timer = null;
export function leave() { clearTimeout(timer); timer = null; }

// Re-read stored requests with today's parsers: a dry run first (POST /replays {dryRun:true}), its
// differences reviewed, then the same options applied; progress polled at GET /replays/{id}.
export async function render(main) {
  const zone = timeZone();
  const timeField = (id, name, text) => h('div', { class: 'field' }, h('label', { for: id }, text),
    h('input', { id, name, type: 'text', inputmode: 'numeric', pattern: timePattern, placeholder: '2026-11-25 08:00', autocomplete: 'off', 'aria-describedby': 'replay-time-hint' }));
  const form = h('form', { id: 'replay-form' },
    h('div', { class: 'inline' },
      h('div', { class: 'field' }, h('label', { for: 'replay-provider' }, 'Provider'),
        h('select', { id: 'replay-provider', name: 'provider', autofocus: true }, h('option', { value: '' }, 'All providers'), providers.map(p => h('option', { value: p }, p)))),
      timeField('replay-from', 'from', 'Received from'),
      timeField('replay-to', 'to', 'Received before'),
      h('div', { class: 'field' }, h('label', { for: 'replay-keys' }, 'Message keys (optional, one per line; needs a provider)'),
        h('textarea', { id: 'replay-keys', name: 'messageKeys', rows: 2, cols: 30 }))),
    h('p', { id: 'replay-time-hint', class: 'muted small' }, `Times as YYYY-MM-DD HH:mm in ${zone}; leave them empty for every request.`),
    h('p', {}, h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'includeQuarantine', id: 'replay-quarantine' }), 'Also re-read quarantined requests (they may be rescued)')),
    h('div', { class: 'inline' }, h('button', { type: 'submit', id: 'replay-dry' }, 'Dry run'), h('span', { class: 'muted small' }, 'A dry run changes nothing; you can apply it afterwards.')));
  const out = h('section', { id: 'replay-results', 'aria-live': 'polite' });
  main.append(h('h2', {}, 'Replays'), h('div', { class: 'card' }, form), out);

  const options = () => {
    const data = new FormData(form);
    const instant = (v) => (v ? instantFromZoneTime(String(v)) ?? undefined : undefined);
    const keys = String(data.get('messageKeys') ?? '').split(/\r?\n/).map(k => k.trim()).filter(Boolean);
    return {
      provider: data.get('provider') || undefined,
      from: instant(data.get('from')),
      to: instant(data.get('to')),
      messageKeys: keys.length ? keys : undefined,
      includeQuarantine: data.get('includeQuarantine') === 'on',
    };
  };

  const start = async (opts, dryRun) => {
    leave();
    clear(out, h('p', { class: 'muted' }, dryRun ? 'Starting a dry run…' : 'Starting the replay…'));
    let started;
    try {
      started = await post('/replays', { ...opts, dryRun });
    } catch (e) {
      clear(out, e.status === 404
        ? h('div', { class: 'alert warn', id: 'replay-unavailable', role: 'status' }, h('strong', {}, 'Replays are not available on this service'),
          'The endpoint POST /replays answered 404: this version of the ledger does not have it yet.')
        : errorBox(e));
      return;
    }
    poll(started.id, opts);
  };

  const poll = async (id, opts) => {
    let replay;
    try {
      replay = await get(`/replays/${enc(id)}`);
    } catch (e) {
      clear(out, errorBox(e));
      return;
    }
    clear(out, progress(replay, opts, start));
    if (replay.state === 'queued' || replay.state === 'running') timer = setTimeout(() => poll(id, opts), 1000);
  };

  form.addEventListener('submit', (e) => { e.preventDefault(); start(options(), true); });
}

function progress(r, opts, start) {
  const done = r.state === 'completed';
  const sample = r.sample ?? (Array.isArray(r.differences) ? r.differences : []);
  const differences = typeof r.differences === 'number' ? r.differences : sample.length;
  const card = h('div', { class: 'card', id: 'replay-progress', 'data-state': r.state },
    h('div', { class: 'status-head' }, h('h3', {}, r.dryRun ? 'Dry run' : 'Replay'), badge(r.state, r.state === 'failed' ? 'failed' : done ? 'delivered' : 'pending'),
      h('span', { class: 'muted small mono' }, r.id)),
    done || r.state === 'failed' ? null : h('progress', { 'aria-label': 'Replay in progress' }),
    h('div', { class: 'counters' },
      counter('Requests re-read', r.scanned), counter(r.dryRun ? 'Would be corrected' : 'Corrected', r.corrected),
      counter(r.dryRun ? 'Would be rescued' : 'Rescued', r.rescued), counter('Differences', differences)),
    r.error ? h('div', { class: 'alert error' }, h('strong', {}, 'The replay failed'), r.error) : null);
  if (sample.length) {
    card.append(h('h3', {}, 'Sample of differences'), h('table', {},
      h('thead', {}, h('tr', {}, ['Kind', 'Message', 'Received', 'Before', 'After'].map(t => h('th', {}, t)))),
      h('tbody', {}, sample.map(d => h('tr', {},
        h('td', {}, badge(d.kind ?? 'difference', 'corrected')),
        h('td', {}, `${d.provider ?? ''} `, h('span', { class: 'mono' }, d.messageKey ?? '—')),
        h('td', {}, when(d.receivedAt)),
        h('td', {}, side(d.previous ?? d.before ?? { status: d.previousStatus })),
        h('td', {}, side(d.corrected ?? d.after ?? { status: d.correctedStatus })))))));
  }
  if (done && r.dryRun) {
    const apply = h('button', { type: 'button', id: 'replay-apply' }, 'Apply this replay');
    apply.addEventListener('click', () => start(opts, false));
    card.append(h('p', {}, differences === 0 ? 'Nothing would change. ' : 'Review the differences, then apply the same replay: it appends one correction per change. ', apply));
  }
  return card;
}

const counter = (label, value) => h('div', { class: 'counter' }, h('div', { class: 'v' }, value ?? 0), h('div', { class: 'l' }, label));
const side = (x) => (x ? [x.status ? badge(x.status) : '—', x.providerStatus ? ` ${x.providerStatus}` : ''] : '—');
