// The list of live sessions, shared by the landing page and /live.

import { el, fill, fmtClock, lockIcon } from './dom.js';
import { t } from './i18n.js';
import { api, enc } from './api.js';

export async function fetchLive() {
  const list = await api('/api/sessions');
  return Array.isArray(list) ? list : [];
}

export function drawSessions(ul, sessions) {
  fill(ul, sessions.map((s) => el('li', {},
    el('a', { href: `/live/${enc(s.id)}`, dataset: { sessionId: s.id } },
      el('span', { class: 'name' }, s.name, s.protected ? el('span', { class: 'tag lock' }, lockIcon(), ' PIN') : null),
      el('span', { class: 'who', text: t('live.since', { dj: s.djName, time: fmtClock(s.startedAt) }) }),
      el('span', { class: 'count', text: t('session.dancers', { count: s.listeners | 0 }) })))));
}
