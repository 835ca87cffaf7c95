// The pages' languages. One JSON catalogue per language under
// /assets/i18n/ (English is the source and the fallback); this module
// loads the reader's before any page script runs (a top-level await, so
// t() is synchronous everywhere), puts the texts into elements marked
// data-i18n="key" (data-i18n-attr="placeholder:key;aria-label:key" for
// attributes) and adds a language switch to the top bar.
//
// The language is the one picked with the switch (kept in localStorage),
// else the first of the browser's languages that Pika! speaks, else
// English. A message is a string with {name} placeholders, or for a
// count an object of CLDR plural forms ({one, few, many, other}) chosen
// with Intl.PluralRules; webclient's Go test checks every catalogue has
// the same keys, placeholders and the forms its language needs.

export const LANGS = { en: 'English', pl: 'Polski', de: 'Deutsch', fr: 'Français', es: 'Español' };
const STORE = 'pika.lang';

const base = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

function storedLang() {
  try {
    const v = localStorage.getItem(STORE);
    return v && Object.hasOwn(LANGS, v) ? v : '';
  } catch {
    return '';
  }
}

function browserLangs() {
  return navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
}

/** The language the page speaks. */
export const lang = storedLang() || browserLangs().map(base).find((l) => Object.hasOwn(LANGS, l)) || 'en';

/** The locale numbers and dates are written in: the browser's own tag
 * when it is of the page's language ("de-AT" for de), else the language. */
export const locale = browserLangs().find((l) => base(l) === lang) || lang;

async function loadCatalogue(l) {
  try {
    const res = await fetch(`/assets/i18n/${l}.json`);
    if (!res.ok) return {};
    const data = await res.json();
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {}; // offline with nothing cached: the English fallback, or the keys
  }
}

const [english, own] = await Promise.all([loadCatalogue('en'), lang === 'en' ? null : loadCatalogue(lang)]);

const rules = new Map();
function pluralRule(l) {
  if (!rules.has(l)) rules.set(l, new Intl.PluralRules(l));
  return rules.get(l);
}

const numberFormat = new Intl.NumberFormat(locale);

function pick(msg, l, params) {
  if (typeof msg === 'string') return msg;
  if (!msg || typeof msg !== 'object') return null;
  const n = Number(params && params.count);
  return msg[pluralRule(l).select(Number.isFinite(n) ? n : 0)] ?? msg.other ?? null;
}

/**
 * t('poll.votes', {count: 3}) is the message of key in the page's
 * language (English when it has none), its {placeholders} filled in;
 * numbers in params are written in the reader's locale.
 */
export function t(key, params) {
  let text = own ? pick(own[key], lang, params) : null;
  if (text === null) text = pick(english[key], 'en', params);
  if (text === null) return key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!Object.hasOwn(params, name)) return whole;
    const v = params[name];
    return typeof v === 'number' ? numberFormat.format(v) : String(v);
  });
}

/** A number in the reader's locale ("1 234,5" in Polish). */
export function formatNumber(v, digits = 0) {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

/** Sets the texts of the elements under root marked with data-i18n. */
export function translate(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

/** Switches the page's language (kept for the next visit) and reloads it. */
export function setLang(l) {
  if (!Object.hasOwn(LANGS, l)) return;
  try {
    localStorage.setItem(STORE, l);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  location.reload();
}

function addSwitch() {
  // Only on the translated pages (the DJ's own pages are English yet).
  const bar = document.querySelector('header.topbar, .controls');
  if (!bar || bar.querySelector('#lang') || !document.querySelector('[data-i18n]')) return;
  const select = document.createElement('select');
  select.id = 'lang';
  select.className = 'lang';
  select.setAttribute('aria-label', t('lang.switch'));
  for (const [code, name] of Object.entries(LANGS)) {
    const opt = document.createElement('option');
    opt.value = code;
    opt.textContent = name;
    opt.lang = code;
    opt.selected = code === lang;
    select.append(opt);
  }
  select.addEventListener('change', () => setLang(select.value));
  bar.append(select);
}

document.documentElement.lang = lang;
translate();
addSwitch();
