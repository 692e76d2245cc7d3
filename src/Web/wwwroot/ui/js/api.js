// Every call goes to this origin with the key from sessionStorage as X-Api-Key.
const KEY = 'ledger.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value ?? ''),
  known: () => sessionStorage.getItem(KEY) !== null,
};

export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail ?? `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

async function call(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept };
  const key = apiKey.get();
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, `Network error: ${e.message}. Is the service running?`);
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok) {
    let problem = null;
    if (type.includes('json')) problem = await response.json().catch(() => null);
    const detail = problem?.detail ?? problem?.title ?? (response.status === 404 ? `${path.split('?')[0]} was not found.` : response.statusText);
    throw new ApiError(response.status, detail, problem);
  }
  if (accept !== 'application/json') return response.text();
  return type.includes('json') ? response.json() : null;
}

export const get = (path) => call('GET', path);
export const getText = (path, accept = 'text/plain') => call('GET', path, undefined, accept);
export const post = (path, body) => call('POST', path, body);

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
