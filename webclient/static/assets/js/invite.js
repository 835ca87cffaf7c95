// /invite#pk_inv_…: accept an invitation to an event. The token travels in
// the fragment, which browsers never send to a server or put in a
// Referer; it waits in sessionStorage while the DJ logs in.

import { $, show } from './dom.js';
import { api } from './api.js';
import { djToken } from './storage.js';

const KEY = 'pika.pendingInvite';
const fromHash = location.hash.slice(1);
if (/^pk_inv_[0-9a-f]{32}$/.test(fromHash)) {
  try { sessionStorage.setItem(KEY, fromHash); } catch { /* kept in the URL */ }
  history.replaceState(null, '', '/invite');
}
let invite = fromHash;
try { invite = sessionStorage.getItem(KEY) || fromHash; } catch { /* use the hash */ }

async function start() {
  if (!/^pk_inv_[0-9a-f]{32}$/.test(invite)) {
    $('#status').textContent = 'This page opens from an invitation link (…/invite#pk_inv_…). Open the whole link you were sent, or ask the organizer for a new one.';
    return;
  }
  const token = djToken.get();
  if (!token) {
    $('#status').textContent = 'You were invited to an event on Pika!.';
    show($('#signin'), true);
    return;
  }
  try {
    const me = await api('/api/auth/me', { token });
    $('#me').textContent = `${me.displayName} (${me.email})`;
    $('#status').textContent = 'You were invited to an event on Pika!.';
    show($('#accept'), true);
  } catch (err) {
    if (err.status === 401) {
      djToken.clear();
      show($('#signin'), true);
      $('#status').textContent = 'Your login has expired.';
      return;
    }
    $('#status').textContent = err.message;
  }
}

$('#accept-button').addEventListener('click', async () => {
  const button = $('#accept-button');
  button.disabled = true;
  $('#accept-error').textContent = '';
  try {
    const ev = await api('/api/invites/accept', { method: 'POST', body: { token: invite }, token: djToken.get() });
    try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
    $('#done-role').textContent = ev.role === 'organizer' ? 'an organizer' : 'a DJ';
    $('#done-event').textContent = ev.name;
    $('#done-link').href = `/dj/events#${ev.id}`;
    show($('#accept'), false);
    show($('#done'), true);
    $('#status').textContent = 'Invitation accepted.';
  } catch (err) {
    $('#accept-error').textContent = err.message;
    button.disabled = false;
  }
});

start().finally(() => { document.body.dataset.loaded = 'true'; });
