import { get, qs, enc } from '../api.js';
import { h, clear, badge, errorBox, info } from '../dom.js';
import { when } from '../time.js';
import { providers } from './providers.js';

export const title = 'Messages';

// Search by phone, our own reference (outId) or the provider's message key; Enter submits.
export async function render(main, { query }) {
  const by = query.get('phone') !== null ? 'phone' : query.get('outId') !== null ? 'outId' : 'phone';
  const value = query.get(by) ?? '';
  const searched = query.get('phone') !== null || query.get('outId') !== null;

  const kind = h('select', { id: 'search-by', name: 'by' },
    h('option', { value: 'phone', selected: by === 'phone' }, 'Phone number'),
    h('option', { value: 'outId', selected: by === 'outId' }, 'Our reference (out id)'),
    h('option', { value: 'key' }, 'Provider message key'));
  const provider = h('select', { id: 'search-provider', name: 'provider' }, providers.map(p => h('option', { value: p }, p)));
  const providerField = h('div', { class: 'field', hidden: true }, h('label', { for: 'search-provider' }, 'Provider'), provider);
  const input = h('input', { id: 'search-text', name: 'q', type: 'search', value, required: true, autofocus: !searched, autocomplete: 'off',
    placeholder: '13812345678', 'aria-describedby': 'search-hint' });
  const hint = h('p', { id: 'search-hint', class: 'muted small' },
    'Phone: digits, separators ignored (+86 138-1234-5678 = 8613812345678). Message key: e.g. Alibaba “biz_id:phone”, Tencent “sid”, Twilio “MessageSid”.');
  const sync = () => { providerField.hidden = kind.value !== 'key'; input.placeholder = { phone: '13812345678', outId: 'order-1', key: '900001:13812345678' }[kind.value]; };
  kind.addEventListener('change', sync);

  const form = h('form', { class: 'inline', id: 'search-form', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'search-by' }, 'Search by'), kind),
    providerField,
    h('div', { class: 'field' }, h('label', { for: 'search-text' }, 'Value'), input),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    location.hash = kind.value === 'key' ? `#/message/${enc(provider.value)}/${enc(text)}` : `#/search${qs({ [kind.value]: text })}`;
  });
  sync();

  const results = h('section', { 'aria-live': 'polite', id: 'search-results' });
  main.append(h('h2', {}, 'Find a message'), h('div', { class: 'card' }, form, hint), results);
  if (!searched) {
    results.append(info('Search to begin', 'Enter a phone number, one of our references, or a provider message key.'));
    return;
  }

  results.append(h('p', { class: 'muted' }, 'Searching…'));
  try {
    const page = await get(`/messages${qs({ [by]: value, pageSize: 100 })}`);
    clear(results);
    const heading = h('h3', { tabindex: '-1', autofocus: true, id: 'results-heading' },
      `${page.total} message${page.total === 1 ? '' : 's'} for ${by === 'phone' ? 'phone' : 'reference'} “${value}”`);
    results.append(heading);
    if (page.items.length === 0) {
      results.append(info('No messages found', 'Nothing has been reported for this value. Check the number, or search by the provider message key.'));
      appendReplies(results, page.replies);
      return;
    }
    results.append(h('div', { class: 'card' }, h('table', { class: 'results-list' },
      h('thead', {}, h('tr', {}, ['Message', 'Provider', 'Status', 'Provider status', 'Phone', 'Reported by the provider at', 'First received', 'Callbacks'].map(t => h('th', {}, t)))),
      h('tbody', {}, page.items.map(m => h('tr', {},
        h('td', {}, h('a', { href: `#/message/${enc(m.provider)}/${enc(m.messageKey)}` }, m.messageKey)),
        h('td', {}, m.provider, m.account && m.account !== 'default' ? ` / ${m.account}` : ''),
        h('td', {}, badge(m.status)),
        h('td', {}, m.providerStatus ?? '—'),
        h('td', { class: 'mono' }, m.phone ?? '—'),
        h('td', {}, when(m.reportedAt)),
        h('td', {}, when(m.firstReceivedAt)),
        h('td', { class: 'num' }, m.callbackCount)))))));
    appendReplies(results, page.replies);
  } catch (e) {
    clear(results, errorBox(e));
  }
}

// Replies from phones (上行 / MO): a phone search also lists the number's replies; a message page lists
// the replies that name the message. Unsubscribes are marked.
export function repliesTable(replies, id) {
  if (!replies || replies.length === 0) return null;
  return h('section', { id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'} from the phone`),
    h('div', { class: 'card' }, h('table', { class: 'results-list replies-list' },
      h('thead', {}, h('tr', {}, ['Received', 'Provider', 'Phone', 'Reply', 'In reply to', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, replies.map(r => h('tr', {},
        h('td', {}, when(r.receivedAt)),
        h('td', {}, r.provider, r.account && r.account !== 'default' ? ` / ${r.account}` : ''),
        h('td', { class: 'mono' }, r.phone ?? '—'),
        h('td', { class: 'reply-content', lang: 'zh' }, r.content),
        h('td', {}, r.inReplyTo ? h('a', { href: `#/message/${enc(r.provider)}/${enc(r.inReplyTo)}` }, r.inReplyTo) : '—'),
        h('td', {}, r.unsubscribe ? badge('unsubscribe', 'failed') : null, r.duplicateCount > 0 ? badge(`${r.duplicateCount} duplicate`, 'outline') : null)))))));
}

function appendReplies(results, replies) {
  const section = repliesTable(replies, 'search-replies');
  if (section) results.append(section);
}
