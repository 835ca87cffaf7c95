// Web Push for the dancer page: once the dancer allowed notifications, the
// page subscribes through the service worker and hands the subscription to
// the relay, which then tells the dancer of polls and announcements while
// the page is in the background or closed. Where push is missing (no
// service worker, no PushManager, a relay with push off) nothing breaks:
// the page's own notifications remain.

import { api } from './api.js';

let subscribed = false;
let attempt = Promise.resolve(false);

/** True once the relay holds this page's push subscription. */
export const pushOn = () => subscribed;

/** The last enablePush's outcome, for tests and callers that wait. */
export const lastPushAttempt = () => attempt;

const READY_WAIT_MS = 5000;

function urlKey(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

let lastTarget = '';

/**
 * Subscribes to push for the session or the stage (exactly one of them)
 * and reports whether the relay took it; it never throws.
 */
export function enablePush(target = {}) {
  // Every SESSION_STATE asks again: one subscription per page and target.
  const key = `${target.sessionId || ''}|${target.stageSlug || ''}`;
  if (key === lastTarget) return attempt;
  lastTarget = key;
  attempt = subscribe(target);
  return attempt;
}

async function subscribe({ sessionId = '', stageSlug = '' }) {
  try {
    if (!('serviceWorker' in navigator) || !('PushManager' in window)) return false;
    if (Notification.permission !== 'granted' || (!sessionId && !stageSlug)) return false;
    const reg = await Promise.race([
      navigator.serviceWorker.ready,
      new Promise((resolve) => setTimeout(resolve, READY_WAIT_MS)),
    ]);
    if (!reg || !reg.pushManager) return false;
    let sub = await reg.pushManager.getSubscription();
    if (!sub) {
      const { publicKey } = await api('/api/push/key');
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlKey(publicKey) });
    }
    const j = sub.toJSON();
    const body = { endpoint: j.endpoint, keys: { p256dh: j.keys.p256dh, auth: j.keys.auth } };
    if (stageSlug) body.stageSlug = stageSlug; else body.sessionId = sessionId;
    await api('/api/push/subscriptions', { method: 'POST', body });
    subscribed = true;
    return true;
  } catch {
    // No push service reachable, push off on this relay, a refusal: the
    // page's own notifications still work.
    return false;
  }
}
