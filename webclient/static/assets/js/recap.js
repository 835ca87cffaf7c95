// The recap of a session: /recap/:sessionId. A private recap (a PIN
// session's, unless its DJ made it public) opens with the PIN (?pin= in
// the link, the one this browser joined the session with, or typed in)
// or for its DJ signed in on this browser.

import { $, el, svg, fill, show, num, fmtClock, fmtDate, fmtDuration, pathId, trackLabel, keyText } from './dom.js';
import { t as tr } from './i18n.js';
import { wireShare } from './share.js';
import { api, enc } from './api.js';
import { getItem, setItem, djToken } from './storage.js';
import { ErrorCode } from './protocol.js';

const sessionId = pathId();
const pinKey = `pika.pin.${sessionId}`;
let pin = new URLSearchParams(location.search).get('pin') || getItem(pinKey) || '';
let lastRecap = null;
let lockTimer = 0;

async function load() {
  if (!sessionId) {
    $('#status').textContent = tr('recap.badLink');
    return;
  }
  let recap;
  const headers = /^[0-9]{4,8}$/.test(pin) ? { 'X-Session-Pin': pin } : {};
  try {
    recap = await api(`/api/sessions/${enc(sessionId)}/recap`, { headers, token: djToken.get() || undefined });
  } catch (err) {
    if (err.code === ErrorCode.PIN_REQUIRED || (err.code === ErrorCode.FORBIDDEN && pin)) {
      askPin(pin ? tr('pin.wrong') : '');
      pin = '';
      return;
    }
    if (err.code === ErrorCode.PIN_LOCKED) {
      askPin('');
      countDown(err.message, err.retryAfterS | 0);
      return;
    }
    if (err.status === 401 && djToken.get()) {
      // A stale DJ token: forget it here and ask as anyone.
      djToken.clear();
      load();
      return;
    }
    $('#status').textContent = err.status === 404 ? tr('recap.noSession') : err.message;
    show($('#status'), true);
    show($('#pin-view'), false);
    return;
  }
  if (pin) setItem(pinKey, pin);
  show($('#pin-view'), false);
  if (!recap || !recap.session) {
    $('#status').textContent = tr('recap.unreadable');
    return;
  }
  lastRecap = recap;
  show($('#status'), false);
  show($('#recap'), true); // visible first, so the chart can measure its width
  draw(recap);
  document.body.dataset.loaded = 'true';
  const token = djToken.get();
  prepareShare(`/api/sessions/${enc(sessionId)}/card.png`, token ? { ...headers, Authorization: `Bearer ${token}` } : headers);
}

function draw(r) {
  const s = r.session;
  const plays = Array.isArray(r.plays) ? r.plays : [];
  document.title = `${tr('recap.title', { name: s.name })} — Pika!`;
  $('#session-name').textContent = s.name;
  $('#dj-name').textContent = s.djName;
  const end = s.endedAt ? fmtClock(s.endedAt) : tr('recap.now');
  $('#when').textContent = `${fmtDate(s.startedAt)} · ${fmtClock(s.startedAt)}–${end} · ${fmtDuration(r.durationS)}`;
  if (r.full) {
    $('#analytics-link').href = `/dj/sessions/${enc(s.id)}`;
    show($('#analytics'), true);
  }
  if (s.live) {
    $('#live-link').href = `/live/${enc(s.id)}`;
    show($('#live-badge'), true);
  }

  // Each stat's words follow its count: the value and the plural form of
  // the words come out of one message ("5 utworów").
  const stats = [
    [plays.length, tr('stats.tracks', { count: plays.length })],
    [fmtDuration(r.durationS), tr('stats.long')],
    [r.totalLikes | 0, tr('stats.likes', { count: r.totalLikes | 0 })],
    [r.peakListeners | 0, tr('stats.peakDancers', { count: r.peakListeners | 0 })],
    [r.uniqueDancers | 0, tr('stats.dancersInAll', { count: r.uniqueDancers | 0 })],
    [r.totalTempoVotes | 0, tr('stats.tempoVotes', { count: r.totalTempoVotes | 0 })],
    [(r.polls || []).length, tr('stats.polls', { count: (r.polls || []).length })],
    [avgBPM(plays), tr('stats.avgBPM')],
  ];
  fill($('#stats'), stats.map(([v, what]) => el('div', { class: 'stat' }, el('span', { class: 'value', text: typeof v === 'number' ? num(v) : String(v) }), el('span', { class: 'what', text: what }))));

  drawChart(plays, s.startedAt, s.endedAt);

  const top = plays.filter((p) => p.likes > 0).sort((a, b) => b.likes - a.likes || new Date(a.startedAt) - new Date(b.startedAt)).slice(0, 5);
  fill($('#top'), top.map((p) => el('li', {}, el('strong', { text: p.track.title || tr('common.untitled') }), p.track.artist ? ` — ${p.track.artist}` : '', el('span', { class: 'muted', text: ` · ♥ ${p.likes}` }))));
  show($('#top-section'), top.length > 0);

  const maxLikes = Math.max(0, ...plays.map((p) => p.likes | 0));
  fill($('#tracks'), plays.map((p) => {
    const t = p.track || {};
    const sound = [typeof t.bpm === 'number' ? `${num(t.bpm)} BPM` : '', keyText(t)].filter(Boolean).join(' · ');
    // Tempo votes per track come only to the set's DJ (the public recap
    // shows what the room is proud of); so does a track's lack of likes.
    const tempo = p.tempo;
    const votes = tempo ? tr('recap.tempoVotes', { slower: tempo.slower | 0, perfect: tempo.perfect | 0, faster: tempo.faster | 0 }) : '';
    const top = maxLikes > 0 && p.likes === maxLikes;
    return el('li', { class: top ? 'top' : null, dataset: { playId: p.playId } },
      el('span', { class: 'time', text: fmtClock(p.startedAt) }),
      el('div', {},
        el('div', { class: 'title', text: t.title || tr('common.untitled') }),
        el('div', { class: 'meta', text: t.artist || '' }),
        el('div', { class: 'meta', text: sound }),
        votes ? el('div', { class: 'meta tempo-votes', text: votes }) : null),
      p.likes > 0 || tempo ? el('span', { class: 'likes num', title: tr('recap.likesTitle'), text: `♥ ${num(p.likes | 0)}` }) : el('span', {}));
  }));
  show($('#tracks-empty'), plays.length === 0);

  const polls = Array.isArray(r.polls) ? r.polls : [];
  fill($('#polls'), polls.map(drawPoll));
  show($('#polls-section'), polls.length > 0);

  const anns = Array.isArray(r.announcements) ? r.announcements : [];
  fill($('#announcements'), anns.map((a) => el('li', {}, el('span', { class: 'muted num', text: `${fmtClock(a.createdAt)} ` }), a.text)));
  show($('#announcements-section'), anns.length > 0);
}

function avgBPM(plays) {
  const b = plays.map((p) => p.track && p.track.bpm).filter((v) => typeof v === 'number');
  return b.length ? Math.round(b.reduce((x, y) => x + y, 0) / b.length) : '–';
}

function drawPoll(p) {
  const tallies = Array.isArray(p.tallies) ? p.tallies : [];
  const total = tallies.reduce((a, b) => a + (b | 0), 0);
  const best = Math.max(0, ...tallies);
  return el('div', { class: 'card poll-result' },
    el('h3', { text: p.question }),
    el('p', { class: 'muted small', text: `${fmtClock(p.createdAt)} · ${tr('poll.votes', { count: total })}${p.closed ? '' : ` · ${tr('recap.stillOpen')}`}` }),
    el('div', { class: 'results' }, (p.options || []).map((o, i) => {
      const n = tallies[i] | 0;
      const bar = el('span', { class: 'fillbar' });
      bar.style.width = total ? `${(100 * n) / total}%` : '0';
      return el('div', { class: `result${best > 0 && n === best ? ' winner' : ''}` }, bar, el('span', { text: o }), el('span', { class: 'num', text: `${n} · ${total ? Math.round((100 * n) / total) : 0}%` }));
    })));
}

/** BPM of each play against the time it started, as an inline SVG line chart. */
function drawChart(plays, startedAt, endedAt) {
  const box = $('#chart');
  const pts = plays
    .filter((p) => p.track && typeof p.track.bpm === 'number')
    .map((p) => ({ t: new Date(p.startedAt).getTime(), bpm: p.track.bpm, p }));
  if (pts.length === 0) {
    fill(box, el('p', { class: 'muted', text: tr('recap.noBPM') }));
    return;
  }
  const W = Math.max(300, Math.min(900, Math.round(box.clientWidth || 640)));
  const H = W < 500 ? 200 : 260, L = 36, R = 10, T = 10, B = 26;
  const t0 = Math.min(new Date(startedAt).getTime() || pts[0].t, pts[0].t);
  const end = endedAt ? new Date(endedAt).getTime() : Date.now();
  const t1 = Math.max(t0 + 60000, end || 0, ...pts.map((x) => x.t));
  let lo = Math.floor((Math.min(...pts.map((x) => x.bpm)) - 4) / 10) * 10;
  let hi = Math.ceil((Math.max(...pts.map((x) => x.bpm)) + 4) / 10) * 10;
  if (hi - lo < 20) { lo -= 10; hi += 10; }
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (b) => T + (1 - (b - lo) / (hi - lo)) * (H - T - B);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': tr('recap.chartLabel', { from: num(Math.min(...pts.map((p) => p.bpm))), to: num(Math.max(...pts.map((p) => p.bpm))) }) });
  const step = (hi - lo) / 10 > 4 ? 20 : 10;
  for (let b = lo; b <= hi; b += step) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(b), y2: y(b) }));
    chart.append(svg('text', { class: 'axis', x: L - 6, y: y(b) + 4, 'text-anchor': 'end' }, String(b)));
  }
  const minutes = (t1 - t0) / 60000;
  const every = minutes <= 30 ? 5 : minutes <= 90 ? 15 : minutes <= 240 ? 30 : 60;
  for (let m = 0; m <= minutes; m += every) {
    const tx = x(t0 + m * 60000);
    chart.append(svg('text', { class: 'axis', x: tx, y: H - 8, 'text-anchor': 'middle' }, m < 60 ? `${m}′` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}`));
  }
  // Each track's tempo holds until the next one starts: a step line.
  const line = [];
  pts.forEach((q, i) => {
    const next = i + 1 < pts.length ? pts[i + 1].t : t1;
    line.push(`${x(q.t).toFixed(1)},${y(q.bpm).toFixed(1)}`, `${x(next).toFixed(1)},${y(q.bpm).toFixed(1)}`);
  });
  chart.append(svg('polyline', { class: 'line', points: line.join(' ') }));
  const maxLikes = Math.max(0, ...plays.map((p) => p.likes | 0));
  for (const q of pts) {
    chart.append(svg('circle', { class: `dot${maxLikes > 0 && q.p.likes === maxLikes ? ' liked' : ''}`, cx: x(q.t).toFixed(1), cy: y(q.bpm).toFixed(1), r: 4.5 },
      svg('title', {}, `${fmtClock(q.p.startedAt)} · ${trackLabel(q.p.track)} · ${num(q.bpm)} BPM · ♥ ${q.p.likes | 0}`)));
  }
  fill(box, chart);
}


function askPin(message) {
  show($('#status'), false);
  show($('#pin-view'), true);
  $('#pin-error').textContent = message;
  $('#pin-input').setAttribute('aria-invalid', message ? 'true' : 'false');
  $('#pin-input').focus();
}

/** Too many wrong PINs from this network: say so and count down. */
function countDown(message, seconds) {
  const reason = (message.split(':')[0] || tr('pin.tooMany')).trim();
  const text = reason[0].toUpperCase() + reason.slice(1);
  const ends = Date.now() + Math.max(1, seconds) * 1000;
  const box = $('#pin-error');
  clearInterval(lockTimer);
  const tick = () => {
    const left = Math.ceil((ends - Date.now()) / 1000);
    $('#pin-submit').disabled = left > 0;
    box.dataset.retry = String(Math.max(0, left));
    box.textContent = left > 0 ? tr('pin.retryIn', { reason: text, wait: left < 120 ? tr('duration.s', { s: left }) : tr('duration.min', { m: Math.ceil(left / 60) }) }) : tr('pin.retryNow', { reason: text });
    if (left <= 0) {
      clearInterval(lockTimer);
      lockTimer = 0;
    }
  };
  tick();
  lockTimer = setInterval(tick, 1000);
}

$('#pin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (lockTimer) return;
  const value = $('#pin-input').value.trim();
  if (!/^[0-9]{4,8}$/.test(value)) {
    askPin(tr('pin.format'));
    return;
  }
  pin = value;
  $('#pin-error').textContent = '';
  load();
});

const prepareShare = wireShare();
load();

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (lastRecap) drawChart(lastRecap.plays || [], lastRecap.session.startedAt, lastRecap.session.endedAt); }, 200);
});
