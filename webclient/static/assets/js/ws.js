// The dancer page's connection to the relay: one WebSocket that comes back
// by itself (exponential backoff with jitter, 0.5 s up to 30 s), and an
// outbox kept in localStorage so taps made offline are sent when the
// connection is back and dropped only once the relay has acknowledged them.

import { getJSON, setJSON, randomId } from './storage.js';

export const MIN_DELAY_MS = 500;
export const MAX_DELAY_MS = 30000;
const CONNECT_TIMEOUT_MS = 10000;

/** Delay before reconnect attempt n (0-based): doubles from 0.5 s, capped at 30 s, ±25 % jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.min(attempt, 16));
  const jittered = base * (0.75 + random() * 0.5);
  return Math.round(Math.max(MIN_DELAY_MS, Math.min(MAX_DELAY_MS, jittered)));
}

export function wsURL(path = '/ws') {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/**
 * LiveSocket keeps a WebSocket open. onOpen(isReconnect) runs on every
 * open, onFrame(frame) for every well-formed frame, onStatus(status) with
 * 'connecting' | 'open' | 'reconnecting' | 'stopped'.
 */
export class LiveSocket {
  constructor({ url, onOpen, onFrame, onStatus }) {
    this.url = url;
    this.onOpen = onOpen || (() => {});
    this.onFrame = onFrame || (() => {});
    this.onStatus = onStatus || (() => {});
    this.ws = null;
    this.attempt = 0;
    this.timer = 0;
    this.stopped = true;
    this.everOpened = false;
    this.status = 'stopped';
    this.wake = () => {
      if (!this.stopped && !this.isOpen() && !this.connectingNow()) this.connectNow();
    };
    // A phone that loses its network often keeps a dead socket for minutes:
    // when the browser says it is offline, drop it and show it at once.
    this.lost = () => this.drop();
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.wake();
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.wake);
    window.addEventListener('offline', this.lost);
    document.addEventListener('visibilitychange', this.onVisible);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.wake);
    window.removeEventListener('offline', this.lost);
    document.removeEventListener('visibilitychange', this.onVisible);
    const ws = this.ws;
    this.ws = null;
    if (ws) { try { ws.close(1000, 'bye'); } catch { /* already closed */ } }
    this.setStatus('stopped');
  }

  /** The page calls this once the session answered, so backoff starts small again. */
  healthy() { this.attempt = 0; }

  isOpen() { return !!this.ws && this.ws.readyState === WebSocket.OPEN; }
  connectingNow() { return !!this.ws && this.ws.readyState === WebSocket.CONNECTING; }

  /** Skips the remaining backoff (the network came back, the page became visible). */
  connectNow() {
    clearTimeout(this.timer);
    this.connect();
  }

  /**
   * Drops the current socket at once (without waiting for a closing
   * handshake that a dead network never completes) and reconnects
   * through backoff.
   */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(4000, 'reconnect'); } catch { /* already closed */ }
    if (this.stopped) return;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    this.schedule();
  }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.ws) return; // one socket at a time
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    // On a bad network a handshake can hang for minutes: give up after a
    // while and try again through backoff.
    const guard = setTimeout(() => {
      if (this.ws === ws && ws.readyState === WebSocket.CONNECTING) this.drop();
    }, CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(guard);
      if (this.ws !== ws) return;
      const again = this.everOpened;
      this.everOpened = true;
      this.setStatus('open');
      this.onOpen(again);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let frame;
      try { frame = JSON.parse(ev.data); } catch { return; }
      if (frame && typeof frame === 'object' && typeof frame.type === 'string') this.onFrame(frame);
    };
    ws.onclose = () => {
      clearTimeout(guard);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
      this.schedule();
    };
    ws.onerror = () => { /* onclose follows and reconnects */ };
  }

  schedule() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Sends a frame now; false when there is no open socket. */
  send(type, payload, id) {
    if (!this.isOpen()) return false;
    const frame = { type };
    if (id) frame.id = id;
    if (payload !== undefined) frame.payload = payload;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }
}

// Frames older than this are not worth sending any more.
const OUTBOX_MAX_AGE_MS = 48 * 3600 * 1000;

/**
 * Outbox is the list of likes and votes not yet acknowledged, persisted per
 * session. Each item keeps a stable frame id, so a resend after a dropped
 * connection is recognised by the relay as a repeat. A newer tap on the same
 * thing (like then unlike, a changed tempo vote) replaces the older one.
 */
export class Outbox {
  constructor(key) {
    this.key = key;
    const now = Date.now();
    const items = getJSON(key, []);
    this.items = Array.isArray(items)
      ? items.filter((i) => i && typeof i.id === 'string' && typeof i.type === 'string' && now - (i.at || 0) < OUTBOX_MAX_AGE_MS)
      : [];
    this.save();
  }

  save() { setJSON(this.key, this.items); }

  /** Adds a frame; returns the stored item {id, type, payload, slot, at}. */
  add(type, payload, slot) {
    if (slot) this.items = this.items.filter((i) => i.slot !== slot);
    const item = { id: `${type.slice(0, 2).toLowerCase()}-${randomId(16)}`, type, payload, slot: slot || '', at: Date.now() };
    this.items.push(item);
    this.save();
    return item;
  }

  /** Removes and returns the item with frame id id, or null. */
  take(id) {
    const i = this.items.findIndex((x) => x.id === id);
    if (i < 0) return null;
    const [item] = this.items.splice(i, 1);
    this.save();
    return item;
  }

  clear() { this.items = []; this.save(); }

  get pending() { return this.items.slice(); }
}
