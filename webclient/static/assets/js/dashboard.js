// /dj/events/:eventId/dashboard: the organizers' live view of an event.
// Each stage: who is on, how many dancers now, the last tracks with likes
// and tempo votes, and the tempo comfort of the last 30 minutes. It
// refreshes every 10 seconds while the tab is visible.

import { $, el, fill, show, num, fmtInZone, trackLabel, tempoBar } from './dom.js';
import { t } from './i18n.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const eventId = location.pathname.split('/').filter(Boolean)[2] || '';
const token = djToken.get();
const REFRESH_MS = 10000;
let timer = 0;

const clock = (iso, zone) => fmtInZone(iso, zone, { hour: '2-digit', minute: '2-digit' });

function comfort(c) {
  const total = c.faster + c.perfect + c.slower;
  if (!total) return el('p', { class: 'muted small', text: t('dash.noVotes') });
  const pct = (n) => Math.round((100 * n) / total);
  return el('div', {}, el('p', { class: 'small', text: t('dash.comfort', { faster: pct(c.faster), perfect: pct(c.perfect), slower: pct(c.slower), votes: t('poll.votes', { count: total }) }) }), tempoBar(c));
}

function stageCard(s, zone) {
  const live = s.live
    ? el('p', {}, el('strong', { text: s.live.djName }), ` · ${s.live.name} · ${t('dash.since', { time: clock(s.live.startedAt, zone) })} · `, el('strong', { text: t('dash.dancersNow', { count: s.listeners }) }))
    : el('p', { class: 'muted', text: s.next ? `${t('stage.between')} · ${t('dash.next', { dj: s.next.djName, time: clock(s.next.startsAt, zone) })}` : t('stage.between') });
  return el('section', { class: 'card', dataset: { stageId: s.stage.id } },
    el('h2', { text: s.stage.name }), live, comfort(s.comfort),
    s.recent.length
      ? el('ol', { class: 'slots' }, s.recent.map((p) => el('li', {},
        el('span', { class: 'when', text: clock(p.startedAt, zone) }),
        el('span', { text: trackLabel(p.track) }),
        el('span', { class: 'muted', text: ` · ♥ ${num(p.likes)}${p.tempo ? ` · ↑${p.tempo.faster} ✓${p.tempo.perfect} ↓${p.tempo.slower}` : ''}` }))))
      : el('p', { class: 'muted small', text: t('dash.noTrack') }));
}

async function load() {
  clearTimeout(timer);
  if (!token) {
    location.replace(`/dj/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  try {
    const d = await api(`/api/events/${enc(eventId)}/dashboard`, { token });
    document.title = `${t('dash.title', { name: d.event.name })} — Pika!`;
    $('#event-name').textContent = d.event.name;
    $('#back').href = `/dj/events#${d.event.id}`;
    fill($('#stages'), d.stages.map((s) => stageCard(s, d.event.timeZone)));
    $('#updated').textContent = t('dash.updated', { time: clock(d.at, d.event.timeZone), zone: d.event.timeZone });
    show($('#status'), false);
    show($('#dashboard'), true);
  } catch (err) {
    $('#status').textContent = err.status === 401 ? t('common.loginAgain') : err.message;
    show($('#status'), true);
  }
  document.body.dataset.loaded = 'true';
  if (!document.hidden) timer = setTimeout(load, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) load(); });
load();
