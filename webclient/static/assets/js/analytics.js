// /dj/sessions/:id: a set's private analytics, for its DJ and the
// organizers of its event: each track's tempo vote shares, the dancers
// who left during it, the tracks nobody liked, and the dancer count over
// the set. The public recap never shows these.

import { $, el, svg, fill, show, num, fmtClock, fmtDate, fmtDuration, plural, trackLabel, tempoBar, pathId } from './dom.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const sessionId = pathId();
const token = djToken.get();
const pct = (x) => `${Math.round(100 * x)} %`;

async function load() {
  if (!token) {
    location.replace(`/dj/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  try {
    draw(await api(`/api/sessions/${enc(sessionId)}/analytics`, { token }));
    show($('#status'), false);
    show($('#analytics'), true);
    document.body.dataset.loaded = 'true';
  } catch (err) {
    if (err.status === 401) {
      djToken.clear();
      location.replace(`/dj/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    $('#status').textContent = err.status === 404 ? 'No such set.' : err.message;
    $('#status').classList.add('error');
  }
}

function draw(a) {
  const s = a.session;
  const plays = a.plays || [];
  document.title = `${s.name} — analytics — Pika!`;
  $('#session-name').textContent = s.name;
  $('#dj-name').textContent = s.djName;
  const end = s.endedAt ? new Date(s.endedAt) : new Date();
  $('#when').textContent = `${fmtDate(s.startedAt)} · ${fmtClock(s.startedAt)}–${s.endedAt ? fmtClock(s.endedAt) : 'now'} · ${fmtDuration((end - new Date(s.startedAt)) / 1000)}`;
  $('#recap-link').href = `/recap/${enc(s.id)}`;

  const left = plays.reduce((n, p) => n + (p.dropOff | 0), 0);
  const stats = [
    [plays.length, 'track', 'tracks'],
    [a.peakListeners | 0, 'peak dancer', 'peak dancers'],
    [a.shares.votes | 0, 'tempo vote', 'tempo votes'],
    [a.noLikes.length, 'track without a like', 'tracks without a like'],
    [left, 'dancer left mid-track', 'dancers left mid-track'],
  ];
  fill($('#stats'), stats.map(([v, one, many]) => el('div', { class: 'stat' }, el('span', { class: 'value', text: String(v) }), el('span', { class: 'what', text: v === 1 ? one : many }))));

  const sh = a.shares;
  fill($('#shares'), sh.votes
    ? [el('p', { class: 'small', text: `${pct(sh.faster)} faster · ${pct(sh.perfect)} perfect · ${pct(sh.slower)} slower (${plural(sh.votes, 'vote')})` }), tempoBar(a.tempo)]
    : [el('p', { class: 'muted', text: 'Nobody voted on the tempo in this set.' })]);

  drawCurve(a.listeners || [], plays, new Date(s.startedAt), end);

  const drops = plays.filter((p) => p.dropOff > 0).sort((x, y) => y.dropOff - x.dropOff || new Date(x.startedAt) - new Date(y.startedAt)).slice(0, 5);
  fill($('#dropoffs'), drops.map((p) => el('li', {}, el('strong', { text: trackLabel(p.track) }),
    el('span', { class: 'muted', text: ` · ${fmtClock(p.startedAt)} · up to ${plural(p.listenersPeak, 'dancer')}, ${p.dropOff} left during it` }))));
  show($('#dropoffs-empty'), drops.length === 0);

  const byId = new Map(plays.map((p) => [p.playId, p]));
  const none = a.noLikes.map((id) => byId.get(id)).filter(Boolean);
  fill($('#nolikes'), none.map((p) => el('li', {}, el('strong', { text: trackLabel(p.track) }), el('span', { class: 'muted', text: ` · ${fmtClock(p.startedAt)}` }))));
  show($('#nolikes-empty'), none.length === 0);

  fill($('#tracks tbody'), plays.map((p) => {
    const v = p.shares.votes | 0;
    const share = (k) => (v ? `${pct(p.shares[k])} (${p.tempoVotes[k]})` : '–');
    return el('tr', { dataset: { playId: p.playId }, class: p.likes === 0 ? 'no-likes' : null },
      el('td', { class: 'n', text: fmtClock(p.startedAt) }),
      el('td', {}, el('div', { class: 'title', text: p.track.title || 'Untitled' }), el('div', { class: 'artist', text: p.track.artist || '' })),
      el('td', { class: 'n', text: typeof p.track.bpm === 'number' ? num(p.track.bpm) : '–' }),
      el('td', { class: 'n likes', text: String(p.likes | 0) }),
      el('td', { class: 'n faster', text: share('faster') }),
      el('td', { class: 'n perfect', text: share('perfect') }),
      el('td', { class: 'n slower', text: share('slower') }),
      el('td', { class: 'n dancers', text: `${p.listenersStart} → ${p.listenersEnd}` }),
      el('td', { class: 'n left', text: p.dropOff > 0 ? String(p.dropOff) : '' }));
  }));
}

// drawCurve draws the dancer count as a step line over the set, with a
// tick where each track started.
function drawCurve(samples, plays, start, end) {
  const box = $('#curve');
  if (!samples.length) {
    fill(box, el('p', { class: 'muted', text: 'No dancer was counted in this set.' }));
    return;
  }
  const W = 720, H = 200, L = 40, R = 12, T = 12, B = 28;
  const t0 = start.getTime(), t1 = Math.max(end.getTime(), t0 + 60000);
  const top = Math.max(1, ...samples.map((p) => p.count));
  const x = (t) => L + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (W - L - R);
  const y = (n) => T + (1 - n / top) * (H - T - B);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `dancers connected over the set, up to ${top}` });
  for (const n of [0, Math.round(top / 2), top]) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(n), y2: y(n) }));
    chart.append(svg('text', { class: 'axis', x: L - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)));
  }
  for (const p of plays) {
    const tx = x(new Date(p.startedAt).getTime());
    chart.append(svg('line', { class: 'grid', x1: tx, x2: tx, y1: H - B, y2: H - B + 6 }, svg('title', {}, `${fmtClock(p.startedAt)} · ${trackLabel(p.track)}`)));
  }
  chart.append(svg('text', { class: 'axis', x: L, y: H - 6 }, fmtClock(start.toISOString())));
  chart.append(svg('text', { class: 'axis', x: W - R, y: H - 6, 'text-anchor': 'end' }, fmtClock(new Date(t1).toISOString())));
  const line = [`${x(t0).toFixed(1)},${y(0).toFixed(1)}`];
  let last = 0;
  for (const q of samples) {
    const tx = x(new Date(q.at).getTime()).toFixed(1);
    line.push(`${tx},${y(last).toFixed(1)}`, `${tx},${y(q.count).toFixed(1)}`);
    last = q.count;
  }
  line.push(`${x(t1).toFixed(1)},${y(last).toFixed(1)}`);
  chart.append(svg('polyline', { class: 'line', points: line.join(' ') }));
  fill(box, chart);
}

load();
