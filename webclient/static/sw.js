// Pika!'s service worker: the pages' shell (HTML, CSS, scripts, icons)
// comes from a cache when the venue's network is slow or gone, so the
// dancer page added to the home screen opens at once; the live data (the
// API and the WebSocket) never goes through it.
//
// Pages: the network first, the cached copy after NAV_WAIT_MS or when the
// network fails (every /live/ID and /s/SLUG page is the same file, kept
// once). Assets: the cached copy at once, refreshed in the background
// (stale-while-revalidate), so a new release is used from the next load.

const CACHE = 'pika-shell-v1';
const NAV_WAIT_MS = 2500;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

/** The cache key of a page: the dancer pages share one. */
function pageKey(url) {
  if (/^\/(live|s)\/[^/]+\/?$/.test(url.pathname)) return '/__page/session';
  return url.pathname;
}

async function fromNetwork(request, key) {
  const res = await fetch(request);
  if (res.ok && res.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(key, res.clone());
  }
  return res;
}

async function page(request, url) {
  const key = pageKey(url);
  const network = fromNetwork(request, key);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAV_WAIT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch {
    // Offline: the cached copy below.
  }
  const cached = await caches.match(key);
  if (cached) return cached;
  return network; // nothing cached yet: wait for the network after all
}

async function asset(request, url) {
  const cached = await caches.match(url.pathname);
  const network = fromNetwork(request, url.pathname).catch(() => null);
  if (cached) return cached;
  const res = await network;
  return res || Response.error();
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname === '/sw.js') return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request, url));
  }
});

// Web Push (relay/README.md, "Push notifications"): the relay sends
// {title, body, url} for a poll or an announcement.
self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch { msg = { body: event.data ? event.data.text() : '' }; }
  const url = typeof msg.url === 'string' ? msg.url : '/';
  event.waitUntil(self.registration.showNotification(msg.title || 'Pika!', {
    body: msg.body || '', icon: '/assets/img/pika.svg', tag: `pika:${url}`, data: { url },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) {
      if (new URL(w.url).pathname === target.pathname && 'focus' in w) return w.focus();
    }
    return self.clients.openWindow(target.href);
  })());
});
