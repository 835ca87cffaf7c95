// The dancer page's Requests card: search the DJ's request list as one
// types, request a track or +1 one already requested, see what became of
// one's request. Searches go straight to the socket (stale results are
// dropped by id); a request goes through the page's outbox like a like,
// so one made offline is sent when the connection is back.

import { $, el, fill, show, num, fmtInZone } from './dom.js';
import { t as tr } from './i18n.js';
import { Type, ErrorCode, Limits, Reason } from './protocol.js';
import { randomId } from './storage.js';

const SEARCH_DEBOUNCE_MS = 150;

/**
 * createRequests wires the card. send(type, payload, slot) queues a frame
 * in the outbox; sendNow(type, payload, id) sends one at once (false when
 * not subscribed); pending() lists the outbox.
 */
export function createRequests({ send, sendNow, pending }) {
  let status = { enabled: false, open: false, freeText: false, tracks: 0 };
  let mine = null; // MY_REQUEST: {request, cooldownUntil}
  let results = null; // CATALOGUE_RESULTS of the latest search
  let searchId = '';
  let debounce = 0;
  let tick = 0;
  let refused = ''; // the relay's last word on a request, until the next one

  const pendingRequest = () => pending().find((i) => i.type === Type.REQUEST_TRACK) || null;
  const isOpen = (r) => r && (r.state === 'waiting' || r.state === 'accepted');
  const cooldownLeft = () => (mine && mine.cooldownUntil ? Math.max(0, Date.parse(mine.cooldownUntil) - Date.now()) : 0);
  const clock = (iso) => fmtInZone(iso, (results && results.timeZone) || undefined, { hour: '2-digit', minute: '2-digit' });

  /** Why the dancer cannot request now, or ''. */
  function blocked() {
    if (!status.open) return tr('req.closed');
    if (pendingRequest()) return tr('req.sendingYours');
    if (mine && isOpen(mine.request)) return tr('req.oneAtATime');
    const left = cooldownLeft();
    if (left > 0) return tr('req.again', { wait: waitText(left) });
    return '';
  }

  function search(now = false) {
    clearTimeout(debounce);
    const run = () => {
      if (!status.enabled) return;
      const query = $('#req-search').value.trim().slice(0, Limits.maxSearchQueryLen);
      const id = `se-${randomId(12)}`;
      if (sendNow(Type.SEARCH_CATALOGUE, { query }, id)) searchId = id;
      else $('#req-hint').textContent = tr('req.offline');
    };
    if (now) run();
    else debounce = setTimeout(run, SEARCH_DEBOUNCE_MS);
  }

  function request(payload) {
    if (blocked()) return;
    refused = '';
    send(Type.REQUEST_TRACK, payload, 'request');
    draw();
  }

  function drawMine() {
    const box = $('#req-mine');
    const item = pendingRequest();
    const r = mine && mine.request;
    if (!item && !r) {
      show(box, false);
      return;
    }
    show(box, true);
    if (item) {
      const p = item.payload || {};
      const hit = results && results.tracks.find((t) => t.id === p.trackId);
      fill(box, el('p', { class: 'label', text: tr('req.yours') }),
        el('p', { class: 'req-what', text: p.text || (hit ? `${hit.title} — ${hit.artist}` : tr('req.aTrack')) }),
        el('p', { class: 'req-state', dataset: { state: 'sending' }, text: tr('req.sending') }));
      return;
    }
    const what = r.text ? tr('req.quoted', { text: r.text }) : `${r.title || tr('common.untitled')}${r.artist ? ` — ${r.artist}` : ''}`;
    const words = {
      waiting: r.count > 1 ? tr('req.waitingAskedBy', { count: r.count }) : tr('req.waiting'),
      accepted: tr('req.accepted'),
      played: tr('req.playedAt', { time: clock(r.updatedAt) }),
      declined: r.reason ? tr('req.declinedWhy', { reason: r.reason }) : tr('req.declined'),
    };
    fill(box, el('p', { class: 'label', text: tr('req.yours') }),
      el('p', { class: 'req-what', text: what }),
      el('p', { class: 'req-state', dataset: { state: r.state }, text: words[r.state] || r.state }));
  }

  function drawResults() {
    const list = $('#req-results');
    const why = blocked();
    const tracks = results ? results.tracks : [];
    const query = $('#req-search').value.trim();
    fill(list, tracks.map((t) => {
      const meta = [t.artist, typeof t.bpm === 'number' ? `${num(t.bpm)} BPM` : ''].filter(Boolean).join(' · ');
      let button;
      if (t.playedAt) {
        button = el('button', { type: 'button', class: 'req-btn', disabled: true, dataset: { state: 'played' } }, tr('req.playedAt', { time: clock(t.playedAt) }));
      } else if (t.requests > 0) {
        button = el('button', { type: 'button', class: 'req-btn', disabled: !!why, dataset: { state: 'plus' }, 'aria-label': tr('req.plusOneFor', { title: t.title }), onclick: () => request({ trackId: t.id }) }, `+1 · ×${t.requests}`);
      } else {
        button = el('button', { type: 'button', class: 'req-btn primary', disabled: !!why, dataset: { state: 'request' }, 'aria-label': tr('req.requestTitle', { title: t.title }), onclick: () => request({ trackId: t.id }) }, tr('req.request'));
      }
      return el('li', { dataset: { trackId: t.id }, class: t.playedAt ? 'played' : null },
        el('div', {}, el('div', { class: 'title', text: t.title || tr('common.untitled') }), el('div', { class: 'meta', text: meta })), button);
    }));
    let hint = refused || why;
    if (!hint && results && results.query === query) {
      if (!query && tracks.length === 0) hint = status.tracks ? tr('req.typeHint') : tr('req.noList');
      else if (query && tracks.length === 0) hint = tr('req.noMatch', { query });
      else if (!query) hint = tr('req.requestedNow');
    }
    $('#req-hint').textContent = hint;
  }

  function draw() {
    const card = $('#requests');
    show(card, status.enabled);
    clearInterval(tick);
    if (!status.enabled) return;
    show($('#req-closed'), !status.open);
    show($('#req-search-box'), status.open);
    const free = status.open && status.freeText;
    show($('#req-text-form'), free);
    $('#req-text-submit').disabled = !!blocked();
    drawMine();
    drawResults();
    card.dataset.state = blocked() ? 'blocked' : 'ready';
    // A cool-down counts down by itself.
    if (cooldownLeft() > 0 && !(mine && isOpen(mine.request))) tick = setInterval(() => { if (!cooldownLeft()) draw(); else drawResults(); }, 15000);
  }

  function setStatus(s) {
    if (!s || typeof s !== 'object') return;
    const was = status.enabled && status.open;
    status = { enabled: !!s.enabled, open: !!s.open, freeText: !!s.freeText, tracks: s.tracks | 0 };
    if (!status.enabled) {
      mine = null;
      results = null;
    }
    draw();
    if (status.enabled && status.open && (!was || !results)) search(true);
  }

  return {
    /** SESSION_STATE's requests, REQUESTS_STATUS. */
    setStatus,
    /** Back to nothing, for the next set of a stage. */
    reset() {
      status = { enabled: false, open: false, freeText: false, tracks: 0 };
      mine = null;
      results = null;
      refused = '';
      draw();
    },
    /** Handles MY_REQUEST and CATALOGUE_RESULTS; true when it was one. */
    onFrame(f) {
      const p = f.payload && typeof f.payload === 'object' ? f.payload : {};
      if (f.type === Type.MY_REQUEST) {
        const was = mine && mine.request;
        mine = p.request ? p : null;
        const now = mine && mine.request;
        // A count that grew is drawn in place; only a new request or a
        // new state asks the relay again (every asker gets each +1).
        if (now && results) {
          for (const t of results.tracks) if (t.requestId === now.requestId) t.requests = now.count;
        }
        draw();
        if (!was || !now || was.requestId !== now.requestId || was.state !== now.state) search(true);
        return true;
      }
      if (f.type === Type.CATALOGUE_RESULTS) {
        if (f.id !== searchId) return true; // an older search
        results = { query: p.query || '', tracks: Array.isArray(p.tracks) ? p.tracks : [], timeZone: p.timeZone || '' };
        drawResults();
        return true;
      }
      return false;
    },
    /** Handles an ERROR answering a search or a request; true when it was one. */
    onError(err, id, item) {
      if (id && id === searchId) {
        $('#req-hint').textContent = refusal(err, '') || tr('req.searchFailed');
        return true;
      }
      if (!item || item.type !== Type.REQUEST_TRACK) return false;
      // A refused request is not retried: the relay says why (closed, the
      // cool-down, played tonight…), and the card says it.
      const p = item.payload || {};
      const hit = p.trackId && results ? results.tracks.find((t) => t.id === p.trackId) : null;
      refused = refusal(err, hit ? hit.title || '' : '') || tr('req.refused');
      if (err.code === ErrorCode.RATE_LIMITED && err.retryAfterS > 0 && !(mine && isOpen(mine.request))) {
        mine = { ...(mine || { request: null }), cooldownUntil: new Date(Date.now() + err.retryAfterS * 1000).toISOString() };
      }
      draw();
      return true;
    },
    /** The outbox changed (ACK): redraw what depends on it. */
    changed: draw,
    wire() {
      $('#req-search').addEventListener('input', () => search());
      $('#req-text-form').addEventListener('submit', (ev) => {
        ev.preventDefault();
        const input = $('#req-text');
        const text = input.value.trim();
        if (!text) return;
        request({ text: text.slice(0, Limits.maxRequestTextLen) });
        input.value = '';
      });
    },
  };
}

/** Why the relay refused a request (of the track title, when known) or a
 * search, in the page's language (its reason), or the relay's own words
 * for a refusal without one. */
function refusal(err, title) {
  switch (err.reason) {
    case Reason.REQUESTS_OFF: return tr('req.why.off');
    case Reason.REQUESTS_CLOSED: return tr('req.closed');
    case Reason.NO_FREE_TEXT: return tr('req.why.listOnly');
    case Reason.NO_SUCH_TRACK: return tr('req.why.noTrack');
    case Reason.REQUEST_OPEN: return tr('req.oneAtATime');
    case Reason.TOO_MANY_REQUESTS: return tr('req.why.queueFull');
    case Reason.PLAYED_TONIGHT: return title ? tr('req.why.playedTitle', { title }) : tr('req.why.played');
    case Reason.REQUEST_COOLDOWN: return tr('req.again', { wait: waitText((err.retryAfterS | 0) * 1000) });
    case Reason.TOO_MANY_SEARCHES: return tr('req.why.searches');
  }
  return err.message ? capitalize(err.message) : '';
}

function waitText(ms) {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return tr('duration.s', { s });
  return tr('duration.min', { m: Math.ceil(s / 60) });
}

function capitalize(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }
