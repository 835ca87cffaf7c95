// Small DOM helpers. Everything that comes from the server goes through
// textContent or attributes set here, never through HTML parsing.

import { t, locale, formatNumber } from './i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyProps(node, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.setAttribute('class', v);
    else if (k === 'text') node.textContent = String(v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

function appendAll(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** el('p', {class: 'x', text: 'hi'}, child…) builds an HTML element. */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  appendAll(node, children);
  return node;
}

/** svg('line', {x1: 0, …}) builds an SVG element. */
export function svg(tag, props, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  appendAll(node, children);
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** A small padlock icon for PIN-protected sessions. */
export function lockIcon(label = t('common.pinRequired')) {
  return svg('svg', { class: 'icon', viewBox: '0 0 24 24', width: 16, height: 16, role: 'img', 'aria-label': label },
    svg('title', {}, label),
    svg('rect', { x: 5, y: 11, width: 14, height: 10, rx: 2, fill: 'currentColor' }),
    svg('path', { d: 'M8 11V8a4 4 0 0 1 8 0v3', fill: 'none', stroke: 'currentColor', 'stroke-width': 2.2 }));
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  appendAll(node, children);
}

export function show(node, visible = true) { node.hidden = !visible; }

/** A number rounded for display in the reader's locale, or an en dash when unknown. */
export function num(v, digits = 0) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return formatNumber(digits ? v : Math.round(v), digits);
}

export function fmtClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

export function fmtDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

/** A calendar day ("2026-06-12", an event's date) in the reader's locale. */
export function fmtDay(ymd) {
  const d = new Date(`${ymd}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(ymd || '');
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function fmtDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  const min = Math.round(seconds / 60);
  if (min < 60) return t('duration.min', { m: min });
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m ? t('duration.hmin', { h, m }) : t('duration.h', { h });
}

/** "A minor" + "8A" → "A minor · 8A" pieces, tolerant of either missing. */
export function keyParts(track) {
  return { key: track && track.key ? track.key : '', camelot: track && track.camelot ? track.camelot : '' };
}

/** The key as the desktop app writes it: "8A · A minor" (either part alone when the other is missing). */
export function keyText(track) {
  const { key, camelot } = keyParts(track);
  return [camelot, key].filter(Boolean).join(' · ');
}

/** A time on a given clock (an event's IANA time zone), in the reader's
 * locale; on the reader's own clock when the zone is unknown. */
export function fmtInZone(iso, timeZone, opts) {
  try {
    return new Date(iso).toLocaleString(locale, { ...opts, timeZone });
  } catch {
    return new Date(iso).toLocaleString(locale, opts);
  }
}

/** plural(1, 'vote') → "1 vote", plural(2, 'vote') → "2 votes"; many for
 * irregular plurals. English only: the DJ's pages; translated pages use
 * t() with a plural message. */
export function plural(n, one, many = `${one}s`) {
  const v = Number.isFinite(n) ? n : 0;
  return `${v} ${v === 1 ? one : many}`;
}

export function trackLabel(track) {
  if (!track) return '';
  const title = track.title || t('common.untitled');
  return track.artist ? `${title} — ${track.artist}` : title;
}

/** A bar split into the shares of faster, perfect and slower tempo votes ({faster, perfect, slower} counts). */
export function tempoBar(c) {
  const total = (c.faster | 0) + (c.perfect | 0) + (c.slower | 0);
  const pct = (n) => Math.round((100 * n) / total);
  const bar = el('div', { class: 'comfort', role: 'img', 'aria-label': t('tempo.bar', { faster: pct(c.faster), perfect: pct(c.perfect), slower: pct(c.slower) }) });
  const names = { faster: t('tempo.faster'), perfect: t('tempo.perfect'), slower: t('tempo.slower') };
  for (const k of ['faster', 'perfect', 'slower']) {
    const seg = el('span', { class: k, title: `${names[k]}: ${c[k] | 0}` });
    seg.style.width = `${(100 * (c[k] | 0)) / total}%`;
    bar.append(seg);
  }
  return bar;
}

let toastTimer = 0;
/** Shows a short message at the bottom of the screen. */
export function toast(message, ms = 3500) {
  let node = document.getElementById('toast');
  if (!node) {
    node = el('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(node);
  }
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, ms);
}

/** The last path segment, e.g. the session id of /live/abc. */
export function pathId() {
  const parts = location.pathname.split('/').filter(Boolean);
  const id = decodeURIComponent(parts[parts.length - 1] || '');
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : '';
}
