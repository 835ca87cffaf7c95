// /dj/events/:eventId/dashboard: the organizers' live view of an event.
// Each stage: who is on, how many dancers now, the last tracks with likes
// and tempo votes, and the tempo comfort of the last 30 minutes. It
// refreshes every 10 seconds while the tab is visible.

import { $, el, fill, show, fmtInZone, trackLabel, tempoBar } from './dom.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const eventId = location.pathname.split('/').filter(Boolean)[2] || '';
const token = djToken.get();
const REFRESH_MS = 10000;
let timer = 0;

const clock = (iso, zone) => fmtInZone(iso, zone, { hour: '2-digit', minute: '2-digit' });

function comfort(c) {
  const total = c.faster + c.perfect + c.slower;
  if (!total) return el('p', { class: 'muted small', text: 'No tempo votes in the last 30 minutes.' });
  const pct = (n) => Math.round((100 * n) / total);
  return el('div', {}, el('p', { class: 'small', text: `Tempo comfort, last 30 min: ${pct(c.faster)} % faster · ${pct(c.perfect)} % perfect · ${pct(c.slower)} % slower (${total} ${total === 1 ? 'vote' : 'votes'})` }), tempoBar(c));
}

function stageCard(s, zone) {
  const live = s.live
    ? el('p', {}, el('strong', { text: s.live.djName }), ` · ${s.live.name} · since ${clock(s.live.startedAt, zone)} · `, el('strong', { text: `${s.listeners} ${s.listeners === 1 ? 'dancer' : 'dancers'} now` }))
    : el('p', { class: 'muted', text: s.next ? `Between sets · next ${s.next.djName} at ${clock(s.next.startsAt, zone)}` : 'Between sets' });
  return el('section', { class: 'card', dataset: { stageId: s.stage.id } },
    el('h2', { text: s.stage.name }), live, comfort(s.comfort),
    s.recent.length
      ? el('ol', { class: 'slots' }, s.recent.map((p) => el('li', {},
        el('span', { class: 'when', text: clock(p.startedAt, zone) }),
        el('span', { text: trackLabel(p.track) }),
        el('span', { class: 'muted', text: ` · ♥ ${p.likes}${p.tempo ? ` · ↑${p.tempo.faster} ✓${p.tempo.perfect} ↓${p.tempo.slower}` : ''}` }))))
      : el('p', { class: 'muted small', text: 'No track yet.' }));
}

async function load() {
  clearTimeout(timer);
  if (!token) {
    location.replace(`/dj/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  try {
    const d = await api(`/api/events/${enc(eventId)}/dashboard`, { token });
    document.title = `${d.event.name} live — Pika!`;
    $('#event-name').textContent = d.event.name;
    $('#back').href = `/dj/events#${d.event.id}`;
    fill($('#stages'), d.stages.map((s) => stageCard(s, d.event.timeZone)));
    $('#updated').textContent = `updated ${clock(d.at, d.event.timeZone)} (${d.event.timeZone})`;
    show($('#status'), false);
    show($('#dashboard'), true);
  } catch (err) {
    $('#status').textContent = err.status === 401 ? 'Please log in again.' : err.message;
    show($('#status'), true);
  }
  document.body.dataset.loaded = 'true';
  if (!document.hidden) timer = setTimeout(load, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) load(); });
load();
