import { apiKey } from './api.js';
import { clear, h } from './dom.js';
import * as search from './views/search.js';
import * as message from './views/message.js';
import * as reconciliation from './views/reconciliation.js';
import * as replays from './views/replays.js';
import * as resend from './views/resend.js';
import * as operations from './views/operations.js';

const main = document.getElementById('main');
const dialog = document.getElementById('key-dialog');
const keyInput = document.getElementById('key-input');

// `#/message/{provider}/{messageKey}`, `#/search?phone=…`, …: hash routes, so the server serves one page.
const routes = { search, message, reconciliation, resend, replays, operations };
let current = null;

function parse() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return { name: routes[name] ? name : 'search', segments: rest.map(decodeURIComponent), query: new URLSearchParams(query ?? '') };
}

async function route() {
  const { name, segments, query } = parse();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const active = a.dataset.nav === name || (name === 'message' && a.dataset.nav === 'search');
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  current?.leave?.();
  current = routes[name];
  clear(main);
  document.title = `${current.title} · Callback Ledger`;
  await current.render(main, { segments, query });
  // Focus moves to the new view (or its first field) so keyboard and screen reader users land on it.
  (main.querySelector('[autofocus]') ?? main).focus();
}

function showKey() {
  const key = apiKey.get();
  document.getElementById('key-label').textContent = key === null ? 'No API key' : key === '' ? 'No key (loopback)' : `Key ····${key.slice(-4)}`;
}

function askKey() {
  keyInput.value = apiKey.get() ?? '';
  dialog.showModal();
  keyInput.focus();
}

dialog.addEventListener('close', () => {
  apiKey.set(keyInput.value.trim());
  showKey();
  route();
});
document.getElementById('change-key').addEventListener('click', askKey);
window.addEventListener('hashchange', route);

showKey();
if (!apiKey.known()) askKey(); else route();

export { h };
