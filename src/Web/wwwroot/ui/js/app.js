import { apiKey, get } from './api.js';
import { clear, h, info } from './dom.js';
import { setZone, zoneLabel } from './time.js';
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
// The role each view's API needs (admin passes every one): a key sees only the tabs it can use.
const needs = { search: 'support', message: 'support', resend: 'support', reconciliation: 'finance', replays: 'admin', operations: 'admin' };
const viewNames = { search: 'Messages', reconciliation: 'Reconciliation', resend: 'Resend', replays: 'Replays', operations: 'Operations' };
let current = null;
let caller = null; // GET /me: { name, role, roles, timeZone, today }; null while unknown (every tab shows, the API decides)

const may = (name) => caller === null || caller.roles.includes(needs[name]);

function parse() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  const wanted = routes[name] ? name : (Object.keys(viewNames).find(may) ?? 'search');
  return { name: wanted, segments: rest.map(decodeURIComponent), query: new URLSearchParams(query ?? '') };
}

async function route() {
  const { name, segments, query } = parse();
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.hidden = !may(a.dataset.nav);
    const active = a.dataset.nav === name || (name === 'message' && a.dataset.nav === 'search');
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  current?.leave?.();
  current = routes[name];
  clear(main);
  document.title = `${current.title} · Callback Ledger`;
  if (!may(name)) {
    const mine = Object.keys(viewNames).filter(may);
    main.append(h('h2', { tabindex: '-1', autofocus: true }, current.title),
      info('This key cannot open this view', [`The key “${caller.name}” has the role ${caller.role}; ${current.title} needs ${needs[name]}. `,
        mine.length ? ['Your views: ', mine.flatMap((v, i) => [i ? ', ' : '', h('a', { href: `#/${v}` }, viewNames[v])]), '.'] : ''], 'warn'));
  } else {
    await current.render(main, { segments, query });
  }
  // Focus moves to the new view (or its first field) so keyboard and screen reader users land on it.
  (main.querySelector('[autofocus]') ?? main).focus();
}

// Who the key is and the business time zone; a refused key leaves every tab (each view then says why).
async function identify() {
  try {
    caller = await get('/me');
    setZone(caller.timeZone, caller.today);
  } catch {
    caller = null;
    setZone('UTC');
  }
  document.getElementById('zone-label').textContent = `Times in ${zoneLabel()}`;
}

function showKey() {
  const key = apiKey.get();
  const who = caller ? ` · ${caller.role}` : '';
  document.getElementById('key-label').textContent = (key === null ? 'No API key' : key === '' ? 'No key (loopback)' : `Key ····${key.slice(-4)}`) + who;
}

function askKey() {
  keyInput.value = apiKey.get() ?? '';
  dialog.showModal();
  keyInput.focus();
}

async function start() {
  await identify();
  showKey();
  await route();
}

dialog.addEventListener('close', () => {
  apiKey.set(keyInput.value.trim());
  start();
});
document.getElementById('change-key').addEventListener('click', askKey);
window.addEventListener('hashchange', route);

showKey();
if (!apiKey.known()) askKey(); else start();

export { h };
