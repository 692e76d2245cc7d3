// Tiny DOM builder: text goes in as text nodes, never as HTML (raw requests are hostile input).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function badge(text, kind = text, title = null) {
  return h('span', { class: `badge ${kind ?? ''}`, title }, text);
}

/** A problem (or network failure) as an alert a person can act on. */
export function errorBox(error) {
  const title = {
    0: 'The service could not be reached',
    401: 'Your API key was not accepted (401)',
    403: 'Your key may not see this (403)',
    404: 'Not found (404)',
    400: 'The request was refused (400)',
  }[error.status] ?? `The service answered ${error.status}`;
  const hint = error.status === 401 ? 'Use “Change key” at the top right to enter a valid key.' : null;
  return h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, title), error.detail ?? '', hint ? h('div', { class: 'small' }, hint) : null);
}

export function info(title, text, kind = 'info') {
  return h('div', { class: `alert ${kind}`, role: 'status' }, h('strong', {}, title), text ?? '');
}
