// localStorage that never throws: private modes and full disks fall back
// to memory for this page's life instead of breaking the page.

const memory = new Map();

function store() {
  try {
    const s = window.localStorage;
    const probe = '__pika_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}
const ls = store();

export function getItem(key) {
  if (ls) {
    try { return ls.getItem(key); } catch { /* fall through */ }
  }
  return memory.has(key) ? memory.get(key) : null;
}

export function setItem(key, value) {
  memory.set(key, String(value));
  if (ls) {
    try { ls.setItem(key, String(value)); } catch { /* memory keeps it */ }
  }
}

export function removeItem(key) {
  memory.delete(key);
  if (ls) {
    try { ls.removeItem(key); } catch { /* ignore */ }
  }
}

export function getJSON(key, fallback) {
  const raw = getItem(key);
  if (raw === null) return fallback;
  try { return JSON.parse(raw); } catch { return fallback; }
}

export function setJSON(key, value) { setItem(key, JSON.stringify(value)); }

/** A random id of n URL-safe characters (crypto.getRandomValues works on plain http too). */
export function randomId(n = 22) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += alphabet[b & 63];
  return s;
}

/**
 * The id this browser likes and votes with in a session, as the relay
 * issued it ('' before the first visit): kept so a reload keeps my likes.
 * The relay replaces an id it did not sign for the session, and the page
 * keeps the new one.
 */
export function clientId(sessionId) {
  const id = getItem(`pika.clientId.${sessionId}`);
  return id && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : '';
}

/** Keeps the id the relay issued for a session (SESSION_STATE's clientId). */
export function setClientId(sessionId, id) {
  if (typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id)) setItem(`pika.clientId.${sessionId}`, id);
}

const TOKEN_KEY = 'pika.djToken';
export const djToken = {
  get: () => getItem(TOKEN_KEY),
  set: (t) => setItem(TOKEN_KEY, t),
  clear: () => removeItem(TOKEN_KEY),
};
