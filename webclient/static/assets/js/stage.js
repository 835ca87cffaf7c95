// /s/SLUG: a stage's permanent page, the one its QR card points to. It
// shows who is live on the stage now (with the way into that set), and
// between sets what is next from the schedule, on the event's clock. It
// refreshes itself, so a phone left open follows the evening.

import { $, el, fill, show } from './dom.js';
import { api, enc } from './api.js';

const slug = location.pathname.split('/').filter(Boolean)[1] || '';
const REFRESH_MS = 20000;
let info = null;
let timer = 0;

function inZone(iso, opts) {
  try {
    return new Date(iso).toLocaleString([], { ...opts, timeZone: info.event.timeZone });
  } catch {
    return new Date(iso).toLocaleString([], opts);
  }
}
const clock = (iso) => inZone(iso, { hour: '2-digit', minute: '2-digit' });
const dayClock = (iso) => inZone(iso, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

function draw() {
  const { stage, event, live, now, next } = info;
  document.title = `${stage.name} · ${event.name} — Pika!`;
  $('#event-name').textContent = event.name;
  $('#stage-name').textContent = stage.name;
  if (event.accent) document.documentElement.style.setProperty('--accent', event.accent);
  const logo = $('#logo');
  show(logo, !!event.logoUrl);
  if (event.logoUrl && logo.getAttribute('src') !== event.logoUrl) logo.src = event.logoUrl;

  const anns = (info.announcements || []).filter((a) => !a.expiresAt || Date.parse(a.expiresAt) > Date.now());
  fill($('#announcements'), anns.map((a) => el('li', { class: 'card announcement' },
    el('p', { class: 'label', text: `${a.eventName} announces` }), el('p', { text: a.text }))));
  show($('#live-card'), !!live);
  show($('#idle-card'), !live);
  if (live) {
    $('#live-dj').textContent = live.djName;
    $('#live-session').textContent = live.name;
    $('#live-link').href = `/live/${enc(live.id)}`;
  } else {
    // en-CA writes dates as YYYY-MM-DD, comparable with the event's days.
    let today = '';
    try { today = new Intl.DateTimeFormat('en-CA', { timeZone: event.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()); } catch { /* unknown zone */ }
    const over = today > event.endsOn;
    $('#idle-text').textContent = next
      ? `Nobody is playing on this stage right now. Next: ${next.djName} at ${dayClock(next.startsAt)}.`
      : 'Nobody is playing on this stage right now, and no set is scheduled after this.';
    const links = [];
    if (info.last) links.push(el('a', { class: 'button', href: `/recap/${enc(info.last.id)}`, text: `Recap of ${info.last.djName}'s set` }));
    links.push(el('a', { class: over ? 'button primary' : 'button', href: info.eventRecapUrl, text: 'The event\'s recap' }));
    fill($('#idle-links'), links);
  }
  const parts = [];
  if (now) parts.push(`now: ${now.djName}`);
  if (next) parts.push(`next ${clock(next.startsAt)} ${next.djName}`);
  const line = parts.join(' · ');
  $('#now-next').textContent = line.charAt(0).toUpperCase() + line.slice(1);
  show($('#now-next'), parts.length > 0);
  $('#clock').textContent = `${clock(new Date().toISOString())} ${event.timeZone.split('/').pop().replace(/_/g, ' ')}`;
}

function drawSchedule() {
  const { schedule = [], now } = info;
  fill($('#schedule'), schedule.map((sl) => el('li', { class: now && sl.id === now.id ? 'current' : '' },
    el('span', { class: 'when', text: `${dayClock(sl.startsAt)} – ${clock(sl.endsAt)}` }),
    el('span', { class: 'who', text: sl.djName }))));
  show($('#schedule-empty'), schedule.length === 0);
}

async function load() {
  clearTimeout(timer);
  if (!/^[a-z0-9-]{3,40}$/.test(slug)) {
    $('#status').textContent = 'This is not a stage link. Scan the QR code on the wall again.';
    return;
  }
  try {
    info = await api(`/api/stages/${enc(slug)}`);
    draw();
    drawSchedule();
    show($('#status'), false);
    show($('#stage'), true);
  } catch (err) {
    $('#status').textContent = err.status === 404
      ? 'There is no such stage. Check the link, or scan the QR code again.'
      : `${err.message} Trying again shortly.`;
    show($('#status'), true);
  }
  document.body.dataset.loaded = 'true';
  timer = setTimeout(load, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) load(); });
load();
