// The dancer's page for one live session: /live/:sessionId, or for a
// stage, /s/:slug, where it follows whichever set is live in the room.
//
// The page subscribes over the WebSocket and draws SESSION_STATE, then
// applies the relay's broadcasts. Likes and votes go through an Outbox
// kept in localStorage: drawn at once, sent when the socket is subscribed,
// forgotten on ACK. After a reconnect the page subscribes again (the
// relay answers with the full state) and asks /api/sessions/:id/state too,
// so whatever was missed appears.

import { $, el, fill, show, num, fmtClock, fmtInZone, toast, pathId } from './dom.js';
import { t as tr } from './i18n.js';
import { api, enc } from './api.js';
import { clientId, setClientId, getItem, setItem, removeItem, randomId } from './storage.js';
import { LiveSocket, Outbox, wsURL } from './ws.js';
import { Type, ErrorCode, Limits } from './protocol.js';
import { createRequests } from './requests.js';
import { keepShellOffline } from './offline.js';
import { enablePush, pushOn } from './push.js';

keepShellOffline();

// On /s/SLUG the page subscribes to the stage (SUBSCRIBE_STAGE) and to the
// set live there, on one socket, and moves to the next set by itself.
const stageSlug = location.pathname.startsWith('/s/') ? pathId() : '';
let sessionId = stageSlug ? '' : pathId();
// The relay signs a stage's dancer ids for the stage: one id for the room.
const idScope = () => (stageSlug ? `stage:${stageSlug}` : sessionId);
let cid = clientId(idScope());
let pinKey = `pika.pin.${sessionId}`;
let dismissedKey = `pika.dismissed.${sessionId}`;
let outbox = new Outbox(`pika.outbox.${sessionId}`);
let stage = null; // the last STAGE_STATE
let stageSubId = '';
const eventAnns = new Map(); // announcementId → the organizers' announcement

let pin = getItem(pinKey) || '';
let subscribeId = '';
let subscribed = false;
let framesSeen = 0;
let view = 'loading';
let restTimer = 0;
let announcementTimer = 0;
let pollTimer = 0;
let lockTimer = 0;
let subscriptions = 0; // SESSION_STATEs received: shown as body[data-subscriptions] for people and tests debugging reconnects
let caughtUp = 0; // CAUGHT_UPs received: body[data-caught-up]
// Where this page stands among the session's broadcasts: a reconnect names
// it, and the relay sends only what was missed (CAUGHT_UP) when it can.
let posEpoch = '';
let posSeq = 0;

const fresh = () => ({
  session: null,
  nowPlaying: null,
  history: [], // newest first: {playId, track, startedAt, endedAt?}
  moreHistory: false, // the relay holds older plays than S.history (GET …/plays?before=)
  likes: new Map(), // playId → count
  tempos: new Map(), // playId → {faster, slower, perfect}
  myLikes: new Set(),
  myTempo: {}, // playId → vote
  myPoll: {}, // pollId → optionIndex
  poll: null, // {pollId, question, options, tallies, endsAt, closed}
  announcement: null,
  listeners: 0,
});
const S = fresh();

/** Moves the page to another set of the stage; false when it is the same. */
function useSession(id) {
  if (!id || id === sessionId) return false;
  sessionId = id;
  pinKey = `pika.pin.${sessionId}`;
  dismissedKey = `pika.dismissed.${sessionId}`;
  outbox = new Outbox(`pika.outbox.${sessionId}`);
  pin = getItem(pinKey) || '';
  Object.assign(S, fresh());
  requests.reset();
  posEpoch = '';
  posSeq = 0;
  return true;
}

const requests = createRequests({
  send: (type, payload, slot) => send(type, payload, slot),
  sendNow: (type, payload, id) => subscribed && socket.send(type, payload, id),
  pending: () => outbox.pending,
});

const socket = new LiveSocket({
  url: wsURL(),
  onOpen: (isReconnect) => (stageSlug ? subscribeStage() : subscribe(isReconnect)),
  onFrame: handleFrame,
  onStatus: drawStatus,
});

// ---------- views ----------

function setView(name) {
  view = name;
  for (const v of ['loading', 'missing', 'pin', 'ended', 'live', 'between']) show($(`#${v}-view`), v === name);
  document.body.dataset.view = name;
}

function drawStatus(status) {
  document.body.dataset.conn = status;
  const pill = $('#conn');
  const offline = navigator.onLine === false;
  if (status === 'reconnecting' || (status === 'connecting' && view !== 'loading')) {
    pill.textContent = offline ? tr('session.offlineSaved') : tr('session.reconnecting');
    show(pill, true);
  } else {
    show(pill, false);
  }
  if (status === 'reconnecting') {
    subscribed = false;
    if (!restTimer) restTimer = setInterval(refreshState, 15000);
  } else if (restTimer && status === 'open') {
    clearInterval(restTimer);
    restTimer = 0;
  }
}

// ---------- connection ----------

function subscribe(isReconnect) {
  subscribed = false;
  subscribeId = `sub-${randomId(12)}`;
  const payload = { sessionId };
  if (cid) payload.clientId = cid;
  if (pin) payload.pin = pin;
  if (posEpoch) {
    payload.epoch = posEpoch;
    payload.seq = posSeq;
  }
  socket.send(Type.SUBSCRIBE, payload, subscribeId);
  // Without a place among the broadcasts, the REST state covers a relay
  // that answers slowly; with one, the relay sends what was missed.
  if (isReconnect && !posEpoch) refreshState();
}

function subscribeStage() {
  subscribed = false;
  stageSubId = `stage-${randomId(12)}`;
  socket.send(Type.SUBSCRIBE_STAGE, { slug: stageSlug }, stageSubId);
}

/** Fetches the state over HTTP; applied only if no frame arrived meanwhile (it would be older). */
async function refreshState() {
  if (!sessionId || view === 'ended' || view === 'pin' || view === 'missing' || view === 'between') return;
  const mark = framesSeen;
  try {
    const headers = pin ? { 'X-Session-Pin': pin } : {};
    const query = cid ? `?clientId=${enc(cid)}` : '';
    const st = await api(`/api/sessions/${enc(sessionId)}/state${query}`, { headers });
    if (framesSeen === mark && st && st.session) applyState(st, true);
  } catch {
    // The socket's own SESSION_STATE covers this; nothing to show.
  }
}

function flush() {
  if (!subscribed) return;
  for (const item of outbox.pending) socket.send(item.type, item.payload, item.id);
}

function handleFrame(f) {
  framesSeen++;
  const p = f.payload && typeof f.payload === 'object' ? f.payload : {};
  if (Number.isFinite(f.seq) && f.seq > 0 && typeof f.epoch === 'string') {
    // A numbered broadcast: one already applied (sent again around a
    // catch-up) is skipped.
    if (f.epoch === posEpoch && f.seq <= posSeq) return;
    posEpoch = f.epoch;
    posSeq = f.seq;
  }
  switch (f.type) {
    case Type.CAUGHT_UP:
      if (p.clientId && p.clientId !== cid) {
        cid = p.clientId;
        setClientId(idScope(), cid);
      }
      if (typeof p.epoch === 'string') posEpoch = p.epoch;
      subscribed = true;
      socket.healthy();
      document.body.dataset.caughtUp = String(++caughtUp);
      if (Number.isFinite(p.listeners)) {
        S.listeners = p.listeners;
        drawListeners();
      }
      flush();
      return;
    case Type.SESSION_STATE:
      if (!p.session) return;
      posEpoch = typeof p.epoch === 'string' ? p.epoch : '';
      posSeq = Number.isFinite(p.seq) ? p.seq : 0;
      if (p.clientId && p.clientId !== cid) {
        cid = p.clientId;
        setClientId(idScope(), cid);
      }
      if (Array.isArray(p.eventAnnouncements)) setEventAnns(p.eventAnnouncements);
      subscribed = true;
      socket.healthy();
      document.body.dataset.subscriptions = String(++subscriptions);
      applyState(p, false);
      requests.setStatus(p.requests);
      flush();
      return;
    case Type.ACK:
      if (outbox.take(f.id || p.id)) requests.changed();
      return;
    case Type.REQUESTS_STATUS:
      requests.setStatus(p);
      return;
    case Type.MY_REQUEST:
    case Type.CATALOGUE_RESULTS:
      requests.onFrame(f);
      return;
    case Type.ERROR:
      handleError(p, f.id || p.id);
      return;
    case Type.NOW_PLAYING:
      onNowPlaying(p);
      return;
    case Type.LIKE_COUNT:
      if (typeof p.playId === 'string' && Number.isFinite(p.count)) {
        S.likes.set(p.playId, p.count);
        drawNow();
        drawHistory();
      }
      return;
    case Type.TEMPO_TALLY:
      if (typeof p.playId === 'string') {
        S.tempos.set(p.playId, tally(p));
        drawNow();
      }
      return;
    case Type.POLL_STARTED:
      S.poll = { pollId: p.pollId, question: p.question || '', options: Array.isArray(p.options) ? p.options : [], tallies: [], endsAt: p.endsAt || null, closed: false };
      S.poll.tallies = S.poll.options.map(() => 0);
      drawPoll();
      alertPoll();
      bringPollIntoView();
      return;
    case Type.POLL_UPDATE:
    case Type.POLL_CLOSED:
      if (S.poll && S.poll.pollId === p.pollId) {
        if (Array.isArray(p.tallies)) S.poll.tallies = p.tallies.slice();
        if (f.type === Type.POLL_CLOSED) S.poll.closed = true;
        drawPoll();
      }
      return;
    case Type.ANNOUNCEMENT:
      S.announcement = p;
      drawAnnouncement();
      return;
    case Type.ANNOUNCEMENT_CLEARED:
      S.announcement = null;
      drawAnnouncement();
      return;
    case Type.LISTENER_COUNT:
      if (Number.isFinite(p.count)) {
        S.listeners = p.count;
        drawListeners();
      }
      return;
    case Type.SESSION_ENDED:
      if (stageSlug && p.nextSessionId) {
        // The next DJ took over the room: follow them on this socket.
        useSession(p.nextSessionId);
        toast(p.nextDjName ? tr('stage.takesOver', { dj: p.nextDjName }) : tr('stage.nextTakesOver'));
        subscribe(false);
        return;
      }
      showEnded();
      return;
    case Type.STAGE_STATE:
      applyStage(p);
      return;
    case Type.EVENT_ANNOUNCEMENT:
      if (typeof p.announcementId === 'string') {
        eventAnns.set(p.announcementId, p);
        drawEventAnns();
      }
      return;
    case Type.EVENT_ANNOUNCEMENT_CLEARED:
      eventAnns.delete(p.announcementId);
      drawEventAnns();
      return;
    default:
      // A newer relay may send frames this page does not know: ignore them.
  }
}

function handleError(err, id) {
  const code = err.code || '';
  if (id && id === stageSubId) {
    if (code === ErrorCode.NOT_FOUND) {
      socket.stop();
      $('#missing-view h1').textContent = tr('stage.notFound');
      setView('missing');
    } else {
      socket.drop();
    }
    return;
  }
  if (stageSlug && id && id === subscribeId && code === ErrorCode.SESSION_ENDED) {
    showBetween(); // the set ended as the page arrived: STAGE_STATE follows
    return;
  }
  if (id && id === subscribeId) {
    if (code === ErrorCode.PIN_LOCKED) {
      socket.stop();
      showPinLocked(err.retryAfterS | 0);
    } else if (code === ErrorCode.FORBIDDEN || code === ErrorCode.PIN_REQUIRED) {
      socket.stop();
      const hadPin = !!pin;
      pin = '';
      removeItem(pinKey);
      showPin(hadPin ? tr('pin.wrong') : '');
    } else if (code === ErrorCode.NOT_FOUND) {
      socket.stop();
      setView('missing');
    } else if (code === ErrorCode.SESSION_ENDED) {
      showEnded();
    } else {
      // Rate limited or a passing server problem: reconnect through backoff.
      socket.drop();
    }
    return;
  }
  const item = id ? outbox.take(id) : null;
  if (requests.onError(err, id, item)) return;
  if (!item) return;
  if (code === ErrorCode.RATE_LIMITED || code === ErrorCode.INTERNAL_ERROR) {
    // Keep it (same id) and try again shortly.
    outbox.items.push(item);
    outbox.save();
    setTimeout(flush, 3000);
    return;
  }
  if (code === ErrorCode.SESSION_ENDED) {
    showEnded();
    return;
  }
  toast(capitalize(err.message || tr('session.notAccepted')));
  refreshState(); // undo what was drawn too early
}

// ---------- state ----------

function tally(t) {
  const n = (v) => (Number.isFinite(v) ? v : 0);
  return t ? { faster: n(t.faster), slower: n(t.slower), perfect: n(t.perfect) } : { faster: 0, slower: 0, perfect: 0 };
}

function applyState(st, fromRest) {
  S.session = st.session;
  if (!st.session.live || st.session.endedAt) {
    showEnded();
    return;
  }
  S.nowPlaying = st.nowPlaying && st.nowPlaying.playId ? st.nowPlaying : null;
  S.history = [];
  S.moreHistory = !!st.moreHistory;
  S.likes = new Map();
  S.tempos = new Map();
  for (const h of Array.isArray(st.history) ? st.history : []) {
    if (!h || typeof h.playId !== 'string') continue;
    S.history.push({ playId: h.playId, track: h.track || {}, startedAt: h.startedAt, endedAt: h.endedAt });
    S.likes.set(h.playId, h.likes | 0);
    S.tempos.set(h.playId, tally(h.tempo));
  }
  const np = S.nowPlaying;
  if (np) {
    if (!S.history.some((h) => h.playId === np.playId)) S.history.unshift({ playId: np.playId, track: np.track || {}, startedAt: np.startedAt });
    if (st.tempo) S.tempos.set(np.playId, tally(st.tempo));
  }
  const mineKnown = !fromRest || (st.myLikes && st.myLikes.length) || (st.myTempoVotes && Object.keys(st.myTempoVotes).length) || (st.myPollVotes && Object.keys(st.myPollVotes).length);
  if (mineKnown) {
    S.myLikes = new Set(Array.isArray(st.myLikes) ? st.myLikes : []);
    S.myTempo = { ...(st.myTempoVotes || {}) };
    S.myPoll = { ...(st.myPollVotes || {}) };
  }
  if (st.activePoll && st.activePoll.pollId) {
    const ap = st.activePoll;
    S.poll = { pollId: ap.pollId, question: ap.question || '', options: ap.options || [], tallies: (ap.tallies || []).slice(), endsAt: ap.endsAt || null, closed: !!ap.closed };
  } else if (S.poll && !S.poll.closed) {
    S.poll = null;
  }
  S.announcement = st.announcement && st.announcement.announcementId ? st.announcement : null;
  S.listeners = st.listeners | 0;
  overlayPending();
  if (view !== 'live') {
    setView('live');
    maybeAskNotifications();
  }
  drawAll();
}

/** Draws taps that the relay has not acknowledged yet on top of its state. */
function overlayPending() {
  for (const item of outbox.pending) {
    const p = item.payload || {};
    if (item.type === Type.LIKE && !S.myLikes.has(p.playId)) {
      S.myLikes.add(p.playId);
      S.likes.set(p.playId, (S.likes.get(p.playId) || 0) + 1);
    } else if (item.type === Type.UNLIKE && S.myLikes.has(p.playId)) {
      S.myLikes.delete(p.playId);
      S.likes.set(p.playId, Math.max(0, (S.likes.get(p.playId) || 0) - 1));
    } else if (item.type === Type.TEMPO_VOTE) {
      moveTempo(p.playId, p.vote);
    } else if (item.type === Type.POLL_VOTE) {
      if (S.poll && S.poll.pollId === p.pollId && S.myPoll[p.pollId] === undefined) {
        S.myPoll[p.pollId] = p.optionIndex;
        S.poll.tallies[p.optionIndex] = (S.poll.tallies[p.optionIndex] | 0) + 1;
      }
    }
  }
}

function moveTempo(playId, vote) {
  const prev = S.myTempo[playId];
  if (prev === vote) return;
  const t = S.tempos.get(playId) || tally(null);
  if (prev && t[prev] > 0) t[prev]--;
  t[vote]++;
  S.tempos.set(playId, t);
  S.myTempo[playId] = vote;
}

function onNowPlaying(p) {
  if (typeof p.playId !== 'string') return;
  S.nowPlaying = { playId: p.playId, track: p.track || {}, startedAt: p.startedAt };
  const existing = S.history.find((h) => h.playId === p.playId);
  if (existing) {
    // An older play announced again means the relay could not store the
    // newer one and rolled back: nothing can have started after the play
    // now playing, so those entries are gone.
    const since = new Date(existing.startedAt);
    S.history = S.history.filter((h) => new Date(h.startedAt) <= since);
  }
  if (existing) {
    existing.track = p.track || existing.track;
  } else {
    S.history.unshift({ playId: p.playId, track: p.track || {}, startedAt: p.startedAt });
    S.history.sort((a, b) => new Date(b.startedAt) - new Date(a.startedAt));
  }
  if (!S.likes.has(p.playId)) S.likes.set(p.playId, 0);
  if (!S.tempos.has(p.playId)) S.tempos.set(p.playId, tally(null));
  drawNow();
  drawHistory();
}

// ---------- taps ----------

function send(type, payload, slot) {
  const item = outbox.add(type, payload, slot);
  if (subscribed) socket.send(item.type, item.payload, item.id);
}

function toggleLike(playId) {
  if (!playId) return;
  const liked = S.myLikes.has(playId);
  const count = S.likes.get(playId) || 0;
  if (liked) {
    S.myLikes.delete(playId);
    S.likes.set(playId, Math.max(0, count - 1));
  } else {
    S.myLikes.add(playId);
    S.likes.set(playId, count + 1);
    if (navigator.vibrate) navigator.vibrate(15);
  }
  send(liked ? Type.UNLIKE : Type.LIKE, { playId }, `like:${playId}`);
  drawNow(!liked);
  drawHistory();
}

function voteTempo(vote) {
  const np = S.nowPlaying;
  if (!np || S.myTempo[np.playId] === vote) return;
  moveTempo(np.playId, vote);
  send(Type.TEMPO_VOTE, { playId: np.playId, vote }, `tempo:${np.playId}`);
  drawNow();
}

function votePoll(index) {
  const poll = S.poll;
  if (!poll || poll.closed || S.myPoll[poll.pollId] !== undefined) return;
  S.myPoll[poll.pollId] = index;
  poll.tallies[index] = (poll.tallies[index] | 0) + 1;
  send(Type.POLL_VOTE, { pollId: poll.pollId, optionIndex: index }, `poll:${poll.pollId}`);
  drawPoll();
}

// ---------- drawing ----------

function drawAll() {
  $('#session-name').textContent = S.session.name || tr('session.defaultName');
  $('#dj-name').textContent = S.session.djName || tr('session.theDJ');
  drawListeners();
  drawAnnouncement();
  drawNow();
  drawPoll();
  drawHistory();
}

function drawListeners() {
  const node = $('#listeners');
  node.textContent = tr('session.dancers', { count: S.listeners });
  show(node, view === 'live');
}

function drawNow(popLike = false) {
  const np = S.nowPlaying;
  show($('#now-empty'), !np);
  show($('#now-track'), !!np);
  const name = S.session ? S.session.name : '';
  if (!np) {
    document.title = `${name || tr('session.defaultName')} — Pika!`;
    return;
  }
  const t = np.track || {};
  $('#now-title').textContent = t.title || tr('common.untitled');
  $('#now-artist').textContent = t.artist || '';
  $('#now-bpm').textContent = num(t.bpm);
  const key = $('#now-key');
  // "8A · A minor", as the desktop app writes it. An analysed key below
  // the one threshold (protocol.MinCertainKeyConfidencePct) is marked, not hidden.
  const unsure = typeof t.keyConfidence === 'number' && t.key && t.keyConfidence * 100 < Limits.minCertainKeyConfidencePct;
  fill(key, t.camelot ? el('span', { class: 'camelot', text: t.camelot }) : null, t.camelot && t.key ? ' · ' : '', t.key || (t.camelot ? '' : tr('key.unknown')),
    unsure ? el('span', { class: 'key-uncertain', text: ` ${tr('key.uncertain')}`, title: tr('key.confidence', { pct: Math.round(t.keyConfidence * 100) }) }) : null);
  drawFeel(t);
  document.title = `${t.title || tr('common.untitled')} · ${name} — Pika!`;

  const liked = S.myLikes.has(np.playId);
  const like = $('#like');
  like.setAttribute('aria-pressed', String(liked));
  like.setAttribute('aria-label', liked ? tr('session.unlike') : tr('session.like'));
  $('#like-heart').textContent = liked ? '♥' : '♡';
  $('#like-count').textContent = String(S.likes.get(np.playId) || 0);
  if (popLike) {
    like.classList.remove('pop');
    void like.offsetWidth; // restart the animation
    like.classList.add('pop');
  }
  const tt = S.tempos.get(np.playId) || tally(null);
  const mine = S.myTempo[np.playId];
  for (const b of document.querySelectorAll('.tempo button')) {
    const v = b.dataset.vote;
    b.setAttribute('aria-pressed', String(mine === v));
    $(`#tempo-${v}`).textContent = String(tt[v] || 0);
  }
}

function drawFeel(t) {
  const rows = [[tr('feel.energy'), t.energy], [tr('feel.danceability'), t.danceability], [tr('feel.brightness'), t.brightness]];
  const box = $('#now-feel');
  box.replaceChildren();
  let any = false;
  for (const [label, v] of rows) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    any = true;
    const fillBar = el('div', { class: 'fill' });
    fillBar.style.width = `${Math.max(0, Math.min(100, v))}%`;
    box.append(
      el('span', { text: label }),
      el('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(v) }, fillBar),
      el('span', { class: 'value', text: num(v) }),
    );
  }
  show(box, any);
}

function drawPoll() {
  const box = $('#poll');
  const poll = S.poll;
  clearInterval(pollTimer);
  if (!poll) {
    show(box, false);
    return;
  }
  show(box, true);
  $('#poll-question').textContent = poll.question;
  const total = poll.tallies.reduce((a, b) => a + (b | 0), 0);
  const mine = S.myPoll[poll.pollId];
  const done = poll.closed || mine !== undefined;
  const opts = $('#poll-options');
  opts.replaceChildren();
  poll.options.forEach((text, i) => {
    const n = poll.tallies[i] | 0;
    const bar = el('span', { class: 'fillbar' });
    bar.style.width = total ? `${(100 * n) / total}%` : '0';
    const b = el('button', {
      type: 'button',
      class: `option${mine === i ? ' mine' : ''}`,
      disabled: done,
      'aria-pressed': String(mine === i),
      dataset: { index: String(i) },
      onclick: () => votePoll(i),
    }, bar, el('span', { class: 'text', text, dataset: { mine: tr('poll.mine') } }), el('span', { class: 'tally', text: `${n} · ${total ? Math.round((100 * n) / total) : 0}%` }));
    opts.append(b);
  });
  const status = $('#poll-status');
  const votes = tr('poll.votes', { count: total });
  const update = () => {
    if (poll.closed) {
      status.textContent = `${tr('poll.closed')} · ${votes}`;
      return;
    }
    let left = '';
    if (poll.endsAt) {
      const s = Math.max(0, Math.round((new Date(poll.endsAt) - Date.now()) / 1000));
      left = ` · ${tr('poll.closesIn', { time: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` })}`;
    }
    status.textContent = `${mine !== undefined ? tr('poll.voted') : tr('poll.tap')} · ${votes}${left}`;
  };
  update();
  box.dataset.state = poll.closed ? 'closed' : mine !== undefined ? 'voted' : 'open';
  if (!poll.closed && poll.endsAt) pollTimer = setInterval(update, 1000);
}

function alertPoll() {
  const box = $('#poll');
  box.classList.remove('pulse');
  void box.offsetWidth;
  box.classList.add('pulse');
  if (navigator.vibrate) navigator.vibrate([80, 60, 80]);
  const hiddenPage = document.visibilityState !== 'visible';
  if (hiddenPage && !pushOn() && 'Notification' in window && Notification.permission === 'granted' && S.poll) {
    try {
      const n = new Notification(tr('poll.notification', { question: S.poll.question }), { body: S.poll.options.join(' · '), tag: S.poll.pollId, icon: '/assets/img/pika.svg' });
      n.onclick = () => { window.focus(); n.close(); };
    } catch {
      // Some mobile browsers only notify from a service worker; the pulse remains.
    }
  }
}

// A poll that starts while the dancer looks at now playing lands below the
// fold, where nobody sees it: it is scrolled into view, but never under a
// finger. While the dancer touches, scrolls or types, it waits until they
// have been still for stillMs. body[data-poll-view] says what it did
// (waiting, scrolled), for the browser tests.
const stillMs = 1200;
let pointerDown = false;
let lastTouch = 0;
let intoViewTimer = 0;

function watchInteraction() {
  const mark = () => { lastTouch = Date.now(); };
  const opt = { passive: true, capture: true };
  addEventListener('pointerdown', () => { pointerDown = true; mark(); }, opt);
  for (const type of ['pointerup', 'pointercancel']) addEventListener(type, () => { pointerDown = false; mark(); }, opt);
  // Not 'scroll': the page's own scrolling fires it too.
  for (const type of ['wheel', 'touchmove', 'keydown']) addEventListener(type, mark, opt);
}

function bringPollIntoView() {
  clearTimeout(intoViewTimer);
  const box = $('#poll');
  if (box.hidden || view !== 'live') return;
  const r = box.getBoundingClientRect();
  if (r.top >= 0 && r.bottom <= innerHeight) {
    document.body.dataset.pollView = 'visible';
    return;
  }
  const typing = document.activeElement && document.activeElement.matches('input, textarea, select');
  const wait = pointerDown || typing ? stillMs : lastTouch + stillMs - Date.now();
  if (wait > 0) {
    document.body.dataset.pollView = 'waiting';
    intoViewTimer = setTimeout(bringPollIntoView, wait);
    return;
  }
  const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
  box.scrollIntoView({ block: r.height > innerHeight ? 'start' : 'nearest', behavior: smooth ? 'smooth' : 'auto' });
  document.body.dataset.pollView = 'scrolled';
}

function drawAnnouncement() {
  const box = $('#announcement');
  const a = S.announcement;
  clearTimeout(announcementTimer);
  const expired = a && a.expiresAt && new Date(a.expiresAt) <= Date.now();
  if (!a || expired || getItem(dismissedKey) === a.announcementId) {
    show(box, false);
    return;
  }
  $('#announcement-text').textContent = a.text || '';
  show(box, true);
  if (a.expiresAt) {
    const ms = new Date(a.expiresAt) - Date.now();
    if (ms > 0 && ms < 2 ** 31 - 1) announcementTimer = setTimeout(drawAnnouncement, ms + 50);
  }
}

/** Loads the plays older than the oldest shown (the state carries only the newest). */
async function loadOlderPlays() {
  const oldest = S.history[S.history.length - 1];
  if (!oldest) return;
  const btn = $('#history-more');
  btn.disabled = true;
  try {
    const headers = pin ? { 'X-Session-Pin': pin } : {};
    const page = await api(`/api/sessions/${enc(sessionId)}/plays?before=${enc(oldest.playId)}&limit=50`, { headers });
    for (const h of Array.isArray(page.plays) ? page.plays : []) {
      if (!h || typeof h.playId !== 'string' || S.history.some((x) => x.playId === h.playId)) continue;
      S.history.push({ playId: h.playId, track: h.track || {}, startedAt: h.startedAt, endedAt: h.endedAt });
      S.likes.set(h.playId, h.likes | 0);
      S.tempos.set(h.playId, tally(h.tempo));
    }
    S.moreHistory = !!page.more;
    drawHistory();
  } catch (err) {
    toast(err.message);
  } finally {
    btn.disabled = false;
  }
}

function drawHistory() {
  const list = $('#history');
  list.replaceChildren();
  show($('#history-empty'), S.history.length === 0);
  show($('#history-more'), S.moreHistory && S.history.length > 0);
  const current = S.nowPlaying ? S.nowPlaying.playId : '';
  for (const h of S.history) {
    const t = h.track || {};
    const liked = S.myLikes.has(h.playId);
    const meta = [t.artist, typeof t.bpm === 'number' ? `${num(t.bpm)} BPM` : '', t.camelot].filter(Boolean).join(' · ');
    const title = t.title || tr('common.untitled');
    list.append(el('li', { class: h.playId === current ? 'current' : null, dataset: { playId: h.playId } },
      el('span', { class: 'time', text: fmtClock(h.startedAt) }),
      el('div', {}, el('div', { class: 'title', text: title }), el('div', { class: 'meta', text: meta })),
      el('button', {
        type: 'button',
        class: 'likebtn',
        'aria-pressed': String(liked),
        'aria-label': liked ? tr('session.unlikeTitle', { title }) : tr('session.likeTitle', { title }),
        onclick: () => toggleLike(h.playId),
      }, `${liked ? '♥' : '♡'} ${S.likes.get(h.playId) || 0}`)));
  }
}

function showPin(message) {
  clearInterval(lockTimer);
  lockTimer = 0;
  $('#pin-submit').disabled = false;
  delete $('#pin-error').dataset.retry;
  setView('pin');
  $('#pin-error').textContent = message;
  $('#pin-input').setAttribute('aria-invalid', message ? 'true' : 'false');
  $('#pin-input').focus();
}

/**
 * The relay refuses every PIN from here for a while (too many wrong ones
 * from this network): say why and count down, instead of a spinner.
 */
function showPinLocked(seconds) {
  showPin('');
  const reason = tr('pin.tooMany'); // the relay's message is English
  const box = $('#pin-error');
  const ends = Date.now() + Math.max(1, seconds) * 1000;
  const button = $('#pin-submit');
  $('#pin-input').value = pin;
  $('#pin-input').setAttribute('aria-invalid', 'true');
  const tick = () => {
    const left = Math.ceil((ends - Date.now()) / 1000);
    if (left > 0) {
      box.textContent = tr('pin.retryIn', { reason, wait: fmtWait(left) });
      box.dataset.retry = String(left);
      button.disabled = true;
      return;
    }
    clearInterval(lockTimer);
    lockTimer = 0;
    box.textContent = tr('pin.retryNow', { reason });
    box.dataset.retry = '0';
    button.disabled = false;
  };
  tick();
  lockTimer = setInterval(tick, 1000);
}

function fmtWait(s) {
  if (s < 120) return tr('duration.s', { s });
  if (s < 7200) return tr('duration.min', { m: Math.ceil(s / 60) });
  return tr('duration.h', { h: Math.ceil(s / 3600) });
}

function showEnded() {
  if (stageSlug) {
    // The room goes on: wait for the next set on the same socket.
    outbox.clear();
    showBetween();
    return;
  }
  socket.stop();
  outbox.clear();
  clearInterval(restTimer);
  restTimer = 0;
  const name = S.session && S.session.name;
  $('#ended-thanks').textContent = name ? tr('session.ended.thanksAt', { name }) : tr('session.ended.thanks');
  $('#recap-link').href = `/recap/${enc(sessionId)}`;
  setView('ended');
  show($('#listeners'), false);
  show($('#conn'), false);
  document.title = `${tr('session.ended.docTitle', { name: name || tr('session.defaultName') })} — Pika!`;
}

function maybeAskNotifications() {
  if (!('Notification' in window)) return;
  if (Notification.permission === 'granted' && getItem('pika.notifyAsked')) enablePush({ sessionId, stageSlug });
  if (Notification.permission !== 'default' || getItem('pika.notifyAsked')) return;
  show($('#notify-ask'), true);
}

function capitalize(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }

// ---------- stages ----------

const inZone = (iso, opts) => fmtInZone(iso, stage.event.timeZone, opts);

function applyStage(info) {
  if (!info || !info.stage || !info.event) return;
  stage = info;
  show($('#stage-head'), true);
  $('#stage-name').textContent = info.stage.name;
  $('#stage-event').textContent = info.event.name;
  if (info.event.accent) document.documentElement.style.setProperty('--accent', info.event.accent);
  // The logo is made only when there is one: an empty <img> is no image.
  const slot = $('#stage-logo');
  const img = slot.querySelector('img');
  if (!info.event.logoUrl) slot.replaceChildren();
  else if (!img || img.getAttribute('src') !== info.event.logoUrl) slot.replaceChildren(el('img', { class: 'logo', alt: '', src: info.event.logoUrl }));
  setEventAnns(info.announcements || []);
  if (info.live) {
    if (useSession(info.live.id) || !subscribed) subscribe(false);
  } else {
    showBetween();
  }
}

function showBetween() {
  if (!stage) {
    setView('loading');
    return;
  }
  const { next, last, schedule = [], now } = stage;
  const clock = (iso) => inZone(iso, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  $('#between-text').textContent = next
    ? tr('stage.nobodyNext', { stage: stage.stage.name, dj: next.djName, time: clock(next.startsAt) })
    : tr('stage.nobody', { stage: stage.stage.name });
  fill($('#between-links'),
    last ? el('a', { class: 'button', href: `/recap/${enc(last.id)}`, text: tr('stage.lastRecap', { dj: last.djName }) }) : null,
    el('a', { class: 'button', href: stage.eventRecapUrl, text: tr('stage.eventRecap') }));
  fill($('#stage-schedule'), schedule.map((sl) => el('li', { class: now && sl.id === now.id ? 'current' : '' },
    el('span', { class: 'when', text: `${clock(sl.startsAt)} – ${inZone(sl.endsAt, { hour: '2-digit', minute: '2-digit' })}` }),
    el('span', { class: 'who', text: sl.djName }))));
  show($('#stage-schedule-empty'), schedule.length === 0);
  show($('#listeners'), false);
  setView('between');
  document.title = `${stage.stage.name} · ${stage.event.name} — Pika!`;
}

function setEventAnns(list) {
  eventAnns.clear();
  for (const a of list) if (a && typeof a.announcementId === 'string') eventAnns.set(a.announcementId, a);
  drawEventAnns();
}

function drawEventAnns() {
  const now = Date.now();
  const list = [...eventAnns.values()].filter((a) => !a.expiresAt || Date.parse(a.expiresAt) > now);
  fill($('#event-anns'), list.map((a) => el('li', { class: 'card announcement' },
    el('p', { class: 'label', text: tr('stage.announces', { event: a.eventName }) }), el('p', { text: a.text }))));
}

// ---------- wiring ----------

function wire() {
  watchInteraction();
  requests.wire();
  $('#like').addEventListener('click', () => S.nowPlaying && toggleLike(S.nowPlaying.playId));
  $('#history-more').addEventListener('click', loadOlderPlays);
  for (const b of document.querySelectorAll('.tempo button')) b.addEventListener('click', () => voteTempo(b.dataset.vote));
  $('#announcement-close').addEventListener('click', () => {
    if (S.announcement) setItem(dismissedKey, S.announcement.announcementId);
    drawAnnouncement();
  });
  $('#notify-yes').addEventListener('click', async () => {
    setItem('pika.notifyAsked', '1');
    show($('#notify-ask'), false);
    try {
      const res = await Notification.requestPermission();
      if (res === 'granted') enablePush({ sessionId, stageSlug });
      toast(res === 'granted' ? tr('notify.on') : tr('notify.off'));
    } catch {
      // Older browsers: nothing to do, polls still pulse.
    }
  });
  $('#notify-no').addEventListener('click', () => {
    setItem('pika.notifyAsked', '1');
    show($('#notify-ask'), false);
  });
  $('#pin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('#pin-input').value.trim();
    if (!/^[0-9]{4,8}$/.test(value)) {
      showPin(tr('pin.format'));
      return;
    }
    if (lockTimer) return; // the relay said when: the button is off until then
    pin = value;
    setItem(pinKey, pin);
    $('#pin-error').textContent = '';
    $('#loading-text').textContent = tr('pin.checking');
    setView('loading');
    socket.start();
  });
  window.addEventListener('offline', () => drawStatus(socket.status));
  // A phone back from a pocket may hold a socket that died silently: catch
  // up over HTTP at once (the socket reconnects by itself if it is dead).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && view === 'live') refreshState();
  });
}

wire();
if (!sessionId && !stageSlug) {
  setView('missing');
} else {
  setView('loading');
  socket.start();
  // A first connection that takes long gets a word of explanation.
  setTimeout(() => {
    if (view !== 'loading' || socket.status === 'open') return;
    $('#loading-text').textContent = navigator.onLine === false
      ? tr('session.offlineWait')
      : tr('session.unreachable');
  }, 4000);
}
