// /dj: the DJ's dashboard. The web token lives in localStorage and is used
// only here; desktop app tokens are created, copied once and revoked here.

import { $, el, fill, show, fmtDate, fmtClock, fmtDuration, toast } from './dom.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const token = djToken.get();
let tokens = [];

function toLogin() {
  djToken.clear();
  location.replace('/dj/login');
}

async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, token });
  } catch (err) {
    if (err.status === 401) toLogin();
    throw err;
  }
}

async function load() {
  if (!token) {
    toLogin();
    return;
  }
  let me;
  try {
    me = await call('/api/auth/me');
  } catch (err) {
    if (err.status !== 401) $('#status').textContent = err.message;
    return;
  }
  $('#dj-name').textContent = me.displayName;
  $('#dj-email').textContent = me.email;
  document.title = `${me.displayName} — Pika!`;
  show($('#status'), false);
  show($('#dashboard'), true);
  show($('#logout'), true);
  await Promise.all([loadTokens(), loadSessions()]);
  document.body.dataset.loaded = 'true';
}

async function loadTokens() {
  try {
    tokens = (await call('/api/auth/tokens')) || [];
  } catch (err) {
    $('#token-error').textContent = err.message;
    return;
  }
  drawTokens();
}

function drawTokens() {
  fill($('#tokens'), tokens.map((t) => {
    const used = t.lastUsedAt ? `last used ${fmtDate(t.lastUsedAt)}` : 'never used';
    const revoke = el('button', { type: 'button', class: 'danger', dataset: { tokenId: t.id } }, 'Revoke');
    let armed = 0;
    revoke.addEventListener('click', async () => {
      if (!armed) {
        revoke.textContent = t.current ? 'Log out and revoke?' : 'Sure? Revoke';
        armed = setTimeout(() => { armed = 0; revoke.textContent = 'Revoke'; }, 5000);
        return;
      }
      clearTimeout(armed);
      revoke.disabled = true;
      try {
        await call(`/api/auth/tokens/${enc(t.id)}`, { method: 'DELETE' });
      } catch (err) {
        revoke.disabled = false;
        toast(err.message);
        return;
      }
      if (t.current) {
        toLogin();
        return;
      }
      tokens = tokens.filter((x) => x.id !== t.id);
      drawTokens();
      toast(`Token “${t.name}” revoked.`);
    });
    return el('li', { dataset: { tokenId: t.id } },
      el('div', {},
        el('div', { class: 'name' }, t.name, t.current ? el('span', { class: 'tag', text: 'this browser' }) : null),
        el('div', { class: 'muted small', text: `created ${fmtDate(t.createdAt)} · ${used}` })),
      revoke);
  }));
}

async function createToken(ev) {
  ev.preventDefault();
  const input = $('#token-name');
  const name = input.value.trim();
  const errOut = $('#token-error');
  if (!name) {
    errOut.textContent = 'Give the token a name, like the computer it is for.';
    input.focus();
    return;
  }
  errOut.textContent = '';
  const button = $('#token-create');
  button.disabled = true;
  try {
    const created = await call('/api/auth/tokens', { method: 'POST', body: { name } });
    $('#new-token-name').textContent = `“${created.name}”`;
    $('#new-token-value').textContent = created.token;
    show($('#new-token'), true);
    input.value = '';
    const { token: _secret, ...info } = created;
    tokens = [info, ...tokens.filter((t) => t.id !== info.id)];
    drawTokens();
  } catch (err) {
    errOut.textContent = err.message;
  }
  button.disabled = false;
}

async function copyNewToken() {
  const value = $('#new-token-value').textContent;
  try {
    await navigator.clipboard.writeText(value);
    toast('Token copied. Paste it into the desktop app.');
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('#new-token-value'));
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    toast('Selected: copy it with your keyboard or the menu.');
  }
}

async function loadSessions() {
  let list;
  try {
    list = (await call('/api/dj/sessions')) || [];
  } catch (err) {
    fill($('#sessions'), el('li', { class: 'error', text: err.message }));
    return;
  }
  show($('#sessions-empty'), list.length === 0);
  fill($('#sessions'), list.map((s) => {
    const live = !s.endedAt;
    const dur = s.endedAt ? fmtDuration((new Date(s.endedAt) - new Date(s.startedAt)) / 1000) : 'live now';
    const plays = `${s.plays | 0} track${s.plays === 1 ? '' : 's'}`;
    return el('li', {},
      el('a', { href: live ? `/live/${enc(s.id)}` : `/recap/${enc(s.id)}`, dataset: { sessionId: s.id } },
        el('span', { class: `name${live ? ' live-dot' : ''}`, text: s.name }),
        el('span', { class: 'who', text: `${fmtDate(s.startedAt)} ${fmtClock(s.startedAt)} · ${dur} · ${plays}` }),
        el('span', { class: 'count', text: live ? 'Live' : 'Recap' })),
      el('a', { class: 'small analytics-link', href: `/dj/sessions/${enc(s.id)}`, text: 'Private analytics' }));
  }));
}

async function logout() {
  const current = tokens.find((t) => t.current);
  if (current) {
    try {
      await call(`/api/auth/tokens/${enc(current.id)}`, { method: 'DELETE' });
    } catch {
      // Logging out locally still works; the token expires unused.
    }
  }
  toLogin();
}

$('#token-form').addEventListener('submit', createToken);
$('#new-token-copy').addEventListener('click', copyNewToken);
$('#new-token-done').addEventListener('click', () => {
  $('#new-token-value').textContent = '';
  show($('#new-token'), false);
});
$('#logout').addEventListener('click', logout);
load();
