// /live: the live sessions. With exactly one, the dancer goes straight to it.

import { $, show } from './dom.js';
import { t } from './i18n.js';
import { enc } from './api.js';
import { fetchLive, drawSessions } from './sessions.js';
import { keepShellOffline } from './offline.js';

keepShellOffline();

let first = true;

async function refresh() {
  const status = $('#status');
  try {
    const list = await fetchLive();
    if (first && list.length === 1) {
      location.replace(`/live/${enc(list[0].id)}`);
      return;
    }
    first = false;
    drawSessions($('#sessions'), list);
    status.textContent = list.length ? '' : t('live.none');
    show(status, list.length === 0);
  } catch (err) {
    status.textContent = err.message;
    show(status, true);
  }
  document.body.dataset.loaded = 'true';
}

refresh();
setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, 15000);
