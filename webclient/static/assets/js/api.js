// fetch wrapper for the relay's JSON API: one error type with a message a
// person can read, whatever went wrong.

export class ApiError extends Error {
  constructor(status, message, code = '', retryAfterS = 0) {
    super(message);
    this.status = status;
    this.code = code; // the relay's error code (pin_required, pin_locked…), when it sent one
    this.retryAfterS = retryAfterS;
  }
}

const FALLBACK = {
  400: 'That request was not accepted.',
  401: 'Please log in again.',
  403: 'Not allowed.',
  404: 'Not found.',
  409: 'That already exists.',
  429: 'Too many attempts. Wait a minute and try again.',
};

export async function api(path, { method = 'GET', body, token, headers = {}, signal } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'No connection to Pika!. Check your network and try again.');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const msg = data && typeof data.error === 'string' && data.error
      ? data.error
      : FALLBACK[res.status] || `The server answered ${res.status}. Try again in a moment.`;
    const code = data && typeof data.code === 'string' ? data.code : '';
    const retry = data && Number.isFinite(data.retryAfterS) ? data.retryAfterS : (parseInt(res.headers.get('Retry-After') || '', 10) || 0);
    throw new ApiError(res.status, msg, code, retry);
  }
  return data;
}

export const enc = encodeURIComponent;
