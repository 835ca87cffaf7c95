// /events/:eventId/recap: an event's recap. Anyone sees the sets of each
// stage, the most-liked tracks, the BPM and energy of each stage over
// time and the polls; an organizer who is logged in also sees the tempo
// votes and the PIN sets, and downloads the export.

import { $, el, svg, fill, show, num, fmtClock, fmtInZone, fmtDay, trackLabel, toast } from './dom.js';
import { t } from './i18n.js';
import { wireShare } from './share.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const parts = location.pathname.split('/').filter(Boolean);
const eventId = /^[0-9a-f]{16}$/.test(parts[1] || '') ? parts[1] : '';
const token = djToken.get();
let recap = null;

const inZone = (iso, opts) => fmtInZone(iso, recap.event.timeZone, opts);
const clock = (iso) => inZone(iso, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

function stat(value, label) {
  return el('div', { class: 'stat' }, el('span', { class: 'value', text: value }), el('span', { class: 'what', text: label }));
}

function draw() {
  const r = recap;
  document.title = `${t('erecap.title', { name: r.event.name })} — Pika!`;
  $('#event-name').textContent = r.event.name;
  $('#when').textContent = `${r.event.startsOn === r.event.endsOn ? fmtDay(r.event.startsOn) : `${fmtDay(r.event.startsOn)} – ${fmtDay(r.event.endsOn)}`} · ${t('erecap.zone', { zone: r.event.timeZone })}`;
  if (r.event.accent) document.documentElement.style.setProperty('--accent', r.event.accent);
  if (r.event.logoUrl) {
    $('#logo').src = r.event.logoUrl;
    show($('#logo'), true);
  }
  const sets = r.stages.reduce((n, s) => n + s.sets.length, 0);
  fill($('#stats'),
    stat(num(sets), t('stats.sets', { count: sets })),
    stat(num(r.stages.length), t('stats.stages', { count: r.stages.length })),
    stat(num(r.dancers), t('stats.dancers', { count: r.dancers })),
    stat(num(r.peakListeners), t('stats.mostOnOneStage')),
    stat(num(r.totalLikes), t('stats.likes', { count: r.totalLikes })));
  show($('#export'), r.full);

  fill($('#charts'), r.stages.map((s) => el('figure', { class: 'stage-chart' }, el('figcaption', { text: s.stage.name }), chart(s))));

  fill($('#top'), r.topTracks.map((p) => el('li', {},
    el('span', { class: 'title', text: trackLabel(p.track) }),
    el('span', { class: 'muted', text: ` · ${p.djName}, ${p.stageName}, ${clock(p.startedAt)} · ♥ ${p.likes}` }))));
  show($('#top-empty'), r.topTracks.length === 0);

  fill($('#stages'), r.stages.map((s) => el('section', { class: 'card' },
    el('h2', { text: s.stage.name }),
    el('p', { class: 'muted', text: s.sets.length ? `${t('erecap.sets', { count: s.sets.length })} · ${t('erecap.upTo', { count: s.peakListeners })}` : t('erecap.noSets') }),
    el('ol', { class: 'slots' }, s.sets.map((set) => el('li', {},
      el('span', { class: 'when', text: `${clock(set.startedAt)}${set.endedAt ? ` – ${inZone(set.endedAt, { hour: '2-digit', minute: '2-digit' })}` : ` · ${t('recap.liveNow')}`}` }),
      el('span', { class: 'who', text: set.djName }),
      el('span', { class: 'muted', text: ` · ${set.name} · ${t('erecap.tracks', { count: set.tracks })}${set.protected && !r.full ? ` · ${t('erecap.privateSet')}` : ''} ` }),
      set.protected && !r.full ? null : el('a', { href: set.recapUrl, text: t('erecap.recapLink') }),
      r.full ? el('a', { href: `/dj/sessions/${enc(set.sessionId)}`, text: ` · ${t('erecap.analyticsLink')}` }) : null))),
    r.full ? tempoTable(s) : null)));

  show($('#polls-section'), r.polls.length > 0);
  fill($('#polls'), r.polls.map((p) => {
    const total = p.votes || 0;
    return el('div', { class: 'card' },
      el('p', { class: 'muted small', text: `${p.djName}, ${p.stageName} · ${t('poll.votes', { count: total })}` }),
      el('h3', { text: p.question }),
      el('ul', { class: 'poll-results' }, p.options.map((o, i) => {
        const n = (p.tallies && p.tallies[i]) || 0;
        return el('li', { text: `${o} — ${num(total ? Math.round((100 * n) / total) : 0)} % (${num(n)})` });
      })));
  }));
}

// tempoTable lists each play's tempo votes: the organizers' view only.
function tempoTable(s) {
  if (!s.plays.length) return null;
  return el('details', {}, el('summary', { text: t('erecap.tempoTable') }),
    el('table', { class: 'tempo-table' },
      el('thead', {}, el('tr', {}, [t('erecap.col.time'), t('erecap.col.track'), 'DJ', '♥', t('tempo.faster'), t('tempo.perfect'), t('tempo.slower')].map((h) => el('th', { text: h })))),
      el('tbody', {}, s.plays.map((p) => el('tr', {},
        el('td', { text: inZone(p.startedAt, { hour: '2-digit', minute: '2-digit' }) }), el('td', { text: trackLabel(p.track) }),
        el('td', { text: p.djName }), el('td', { text: String(p.likes) }),
        ['faster', 'perfect', 'slower'].map((k) => el('td', { text: String(p.tempo ? p.tempo[k] : 0) })))))));
}

// chart draws one stage's BPM (left axis) and energy (0–100, right axis)
// as step lines over the event's time.
function chart(s) {
  const pts = s.plays.map((p) => ({ t: Date.parse(p.startedAt), bpm: p.track.bpm, energy: p.track.energy, p }));
  if (!pts.some((q) => typeof q.bpm === 'number' || typeof q.energy === 'number')) {
    return el('p', { class: 'muted', text: t('erecap.noChart') });
  }
  const W = 420, H = 220, L = 34, R = 30, T = 10, B = 24;
  const t0 = pts[0].t;
  const t1 = Math.max(t0 + 600000, ...pts.map((q) => q.t)) + 180000;
  const bpms = pts.map((q) => q.bpm).filter((b) => typeof b === 'number');
  let lo = bpms.length ? Math.floor((Math.min(...bpms) - 4) / 10) * 10 : 60;
  let hi = bpms.length ? Math.ceil((Math.max(...bpms) + 4) / 10) * 10 : 140;
  if (hi - lo < 20) { lo -= 10; hi += 10; }
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const yb = (b) => T + (1 - (b - lo) / (hi - lo)) * (H - T - B);
  const ye = (e) => T + (1 - e / 100) * (H - T - B);
  const c = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('erecap.chartLabel', { stage: s.stage.name }) });
  for (let b = lo; b <= hi; b += 20) {
    c.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: yb(b), y2: yb(b) }));
    c.append(svg('text', { class: 'axis', x: L - 5, y: yb(b) + 4, 'text-anchor': 'end' }, String(b)));
  }
  for (const e of [0, 50, 100]) c.append(svg('text', { class: 'axis energy', x: W - R + 4, y: ye(e) + 4 }, String(e)));
  c.append(svg('text', { class: 'axis', x: L, y: H - 6 }, inZone(new Date(t0).toISOString(), { hour: '2-digit', minute: '2-digit' })));
  c.append(svg('text', { class: 'axis', x: W - R, y: H - 6, 'text-anchor': 'end' }, inZone(new Date(t1).toISOString(), { hour: '2-digit', minute: '2-digit' })));
  const step = (key, y) => {
    const line = [];
    pts.forEach((q, i) => {
      if (typeof q[key] !== 'number') return;
      const next = i + 1 < pts.length ? pts[i + 1].t : t1;
      line.push(`${x(q.t).toFixed(1)},${y(q[key]).toFixed(1)}`, `${x(next).toFixed(1)},${y(q[key]).toFixed(1)}`);
    });
    return line.join(' ');
  };
  c.append(svg('polyline', { class: 'line energy', points: step('energy', ye) }));
  c.append(svg('polyline', { class: 'line', points: step('bpm', yb) }));
  for (const q of pts) {
    if (typeof q.bpm !== 'number') continue;
    c.append(svg('circle', { class: 'dot', cx: x(q.t).toFixed(1), cy: yb(q.bpm).toFixed(1), r: 3.5 },
      svg('title', {}, `${fmtClock(q.p.startedAt)} · ${trackLabel(q.p.track)} · ${num(q.bpm)} BPM · ${q.p.djName}`)));
  }
  return c;
}

async function download(format) {
  try {
    const res = await fetch(`/api/events/${enc(eventId)}/export.${format}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || t('common.serverAnswered', { status: String(res.status) }));
    const name = (res.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
    const a = el('a', { href: URL.createObjectURL(await res.blob()), download: name ? name[1] : `event.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (err) {
    toast(err.message);
  }
}

async function load() {
  if (!eventId) {
    $('#status').textContent = t('erecap.badLink');
    return;
  }
  try {
    recap = await api(`/api/events/${enc(eventId)}/recap`, { token: token || undefined });
  } catch (err) {
    if (err.status === 401 && token) {
      recap = await api(`/api/events/${enc(eventId)}/recap`).catch((e) => { $('#status').textContent = e.message; return null; });
    } else {
      $('#status').textContent = err.status === 404 ? t('erecap.noEvent') : err.message;
    }
  }
  if (recap) {
    draw();
    show($('#status'), false);
    show($('#recap'), true);
    prepareShare(`/api/events/${enc(eventId)}/card.png`);
  }
  document.body.dataset.loaded = 'true';
}

const prepareShare = wireShare();
$('#print').addEventListener('click', () => window.print());
$('#export-csv').addEventListener('click', () => download('csv'));
$('#export-json').addEventListener('click', () => download('json'));
load();
