// Landing page: fills the "Live now" list.

import { $, show } from './dom.js';
import { t } from './i18n.js';
import { fetchLive, drawSessions } from './sessions.js';

async function refresh() {
  const status = $('#live-status');
  try {
    const list = await fetchLive();
    drawSessions($('#sessions'), list);
    status.textContent = list.length ? '' : t('home.none');
    show(status, list.length === 0);
  } catch (err) {
    status.textContent = err.message;
    show(status, true);
  }
  document.body.dataset.loaded = 'true';
}

refresh();
setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, 30000);
