// /dj/events: the events an account organizes or plays at. Organizers
// create events, add stages, edit each stage's schedule, invite DJs and
// co-organizers by single-use link, and upload a logo; DJs see the
// stages, their links and schedules. /dj/events#EVENT_ID opens one event.

import { $, el, fill, show, fmtInZone, fmtDay, toast } from './dom.js';
import { t, locale } from './i18n.js';
import { api, enc } from './api.js';
import { djToken } from './storage.js';

const token = djToken.get();
let event = null; // the open event
let members = [];

function toLogin() {
  djToken.clear();
  location.replace('/dj/login?next=/dj/events');
}

async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, token });
  } catch (err) {
    if (err.status === 401) toLogin();
    throw err;
  }
}

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The event form's fields, filled from ev when editing. */
function eventFields(form, ev, submitLabel) {
  const today = new Date().toISOString().slice(0, 10);
  const field = (id, label, input) => el('div', { class: 'field' }, el('label', { for: id, text: label }), input,
    el('p', { class: 'error', id: `${id}-error` }));
  fill(form,
    field(`${form.id}-name`, t('ev.form.name'), el('input', { id: `${form.id}-name`, type: 'text', maxlength: 100, required: true, value: ev ? ev.name : '', placeholder: t('ev.form.namePlaceholder') })),
    el('div', { class: 'row' },
      field(`${form.id}-starts`, t('ev.form.first'), el('input', { id: `${form.id}-starts`, type: 'date', required: true, value: ev ? ev.startsOn : today })),
      field(`${form.id}-ends`, t('ev.form.last'), el('input', { id: `${form.id}-ends`, type: 'date', required: true, value: ev ? ev.endsOn : today }))),
    field(`${form.id}-zone`, t('ev.form.zone'), el('input', { id: `${form.id}-zone`, type: 'text', required: true, value: ev ? ev.timeZone : browserZone, placeholder: 'Europe/Warsaw' })),
    field(`${form.id}-accent`, t('ev.form.accent'), el('input', { id: `${form.id}-accent`, type: 'color', value: ev && ev.accent ? ev.accent : '#ffd23f' })),
    el('p', { class: 'error', id: `${form.id}-error`, role: 'alert' }),
    el('button', { type: 'submit', class: 'primary', text: submitLabel }));
}

function eventBody(form) {
  const v = (s) => $(`#${form.id}-${s}`).value.trim();
  return { name: v('name'), startsOn: v('starts'), endsOn: v('ends'), timeZone: v('zone'), accent: v('accent') };
}

function eventDates(ev) {
  const d = fmtDay;
  return `${ev.startsOn === ev.endsOn ? d(ev.startsOn) : `${d(ev.startsOn)} – ${d(ev.endsOn)}`} · ${ev.timeZone}`;
}

async function loadList() {
  const list = (await call('/api/events')) || [];
  fill($('#events'), list.map((ev) => el('li', {},
    el('a', { href: `#${ev.id}` },
      el('span', { class: 'name', text: ev.name }),
      el('span', { class: 'who', text: `${eventDates(ev)} · ${t('ev.stageCount', { count: ev.stages.length })}` }),
      el('span', { class: 'count', text: ev.role === 'organizer' ? t('ev.role.organizer') : t('ev.role.dj') })))));
  show($('#events-empty'), list.length === 0);
  eventFields($('#event-form'), null, t('ev.form.create'));
}

$('#event-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  $(`#${form.id}-error`).textContent = '';
  try {
    const ev = await call('/api/events', { method: 'POST', body: eventBody(form) });
    location.hash = ev.id;
  } catch (err) {
    $(`#${form.id}-error`).textContent = err.message;
  }
});

/** Times in the event's zone: a schedule is read on the event's clock. */
function zoneClock(iso) {
  return fmtInZone(iso, event.timeZone, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

/** datetime-local value (event zone) ↔ ISO instant. */
function toLocalInput(iso) {
  const d = new Date(iso);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: event.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

function fromLocalInput(value) {
  if (!value) return '';
  // Find the instant whose wall clock in the event's zone reads value:
  // start from it read as UTC and correct by the zone's offset (twice,
  // for the hour around a daylight-saving change).
  const want = Date.parse(`${value}:00Z`);
  let t = want;
  for (let i = 0; i < 2; i++) {
    const seen = Date.parse(`${toLocalInput(new Date(t).toISOString())}:00Z`);
    t += want - seen;
  }
  return new Date(t).toISOString();
}

function stageItem(st) {
  const org = event.role === 'organizer';
  const sched = el('div', { class: 'schedule', hidden: true });
  const open = el('button', { type: 'button', text: org ? t('ev.schedule.edit') : t('ev.schedule.show') });
  open.addEventListener('click', async () => {
    if (!sched.hidden) { sched.hidden = true; return; }
    try {
      const res = await call(`/api/events/${enc(event.id)}/stages/${enc(st.id)}/schedule`);
      drawSchedule(sched, st, res.slots || []);
      sched.hidden = false;
    } catch (err) {
      toast(err.message);
    }
  });
  return el('li', { dataset: { stageId: st.id } },
    el('div', { class: 'row' },
      el('span', { class: 'name', text: st.name }),
      el('a', { href: st.url, text: st.url.replace(/^https?:\/\//, '') }),
      el('span', { class: 'spacer' }),
      el('a', { class: 'button', href: `/s/${enc(st.slug)}/card`, target: '_blank', rel: 'noopener', text: t('ev.qrCard') }),
      open),
    sched);
}

function drawSchedule(box, st, slots) {
  const org = event.role === 'organizer';
  const djs = members.filter((m) => m.role === 'dj' || m.role === 'organizer');
  const rows = [];
  const slotRow = (sl) => {
    const who = el('select', { 'aria-label': 'DJ' },
      el('option', { value: '', text: t('ev.schedule.guest') }),
      djs.map((m) => el('option', { value: m.djId, text: m.displayName, selected: sl && sl.djId === m.djId })));
    const name = el('input', { type: 'text', maxlength: 100, placeholder: t('ev.schedule.djName'), value: sl ? sl.djName : '', 'aria-label': t('ev.schedule.djName') });
    const from = el('input', { type: 'datetime-local', value: sl ? toLocalInput(sl.startsAt) : '', 'aria-label': t('ev.schedule.starts') });
    const to = el('input', { type: 'datetime-local', value: sl ? toLocalInput(sl.endsAt) : '', 'aria-label': t('ev.schedule.ends') });
    const del = el('button', { type: 'button', class: 'danger', text: t('ev.remove') });
    const row = el('li', { class: 'row' }, who, name, from, to, del);
    const sync = () => { name.hidden = who.value !== ''; };
    who.addEventListener('change', sync);
    sync();
    del.addEventListener('click', () => { rows.splice(rows.indexOf(rec), 1); row.remove(); });
    const rec = { row, value: () => ({ djId: who.value || undefined, djName: who.value ? '' : name.value.trim(), startsAt: fromLocalInput(from.value), endsAt: fromLocalInput(to.value) }) };
    rows.push(rec);
    return row;
  };
  if (!org) {
    fill(box, slots.length
      ? el('ol', { class: 'slots' }, slots.map((sl) => el('li', { text: `${zoneClock(sl.startsAt)} – ${zoneClock(sl.endsAt)} · ${sl.djName}` })))
      : el('p', { class: 'muted', text: t('ev.schedule.none') }));
    return;
  }
  const list = el('ol', { class: 'slots' }, slots.map(slotRow));
  const add = el('button', { type: 'button', text: t('ev.schedule.add') });
  add.addEventListener('click', () => list.append(slotRow(null)));
  const save = el('button', { type: 'button', class: 'primary', text: t('ev.schedule.save') });
  const error = el('p', { class: 'error', role: 'alert' });
  save.addEventListener('click', async () => {
    error.textContent = '';
    const body = { slots: rows.map((r) => r.value()) };
    if (body.slots.some((s) => !s.startsAt || !s.endsAt)) {
      error.textContent = t('ev.schedule.needTimes');
      return;
    }
    try {
      const res = await call(`/api/events/${enc(event.id)}/stages/${enc(st.id)}/schedule`, { method: 'PUT', body });
      drawSchedule(box, st, res.slots || []);
      toast(t('ev.schedule.saved'));
    } catch (err) {
      error.textContent = err.message;
    }
  });
  fill(box, el('p', { class: 'muted small', text: t('ev.schedule.zone', { zone: event.timeZone }) }), list, el('div', { class: 'row' }, add, save), error);
}

async function loadEvent(id) {
  event = await call(`/api/events/${enc(id)}`);
  members = (await call(`/api/events/${enc(id)}/members`)) || [];
  const org = event.role === 'organizer';
  document.title = `${event.name} — Pika!`;
  $('#event-name').textContent = event.name;
  $('#event-when').textContent = `${eventDates(event)} · ${org ? t('ev.youOrganize') : t('ev.youDJ')}`;
  $('#event-links').replaceChildren(
    org ? el('a', { class: 'button primary', href: `/dj/events/${enc(event.id)}/dashboard`, text: t('ev.dashboard') }) : '',
    el('a', { class: 'button', href: `/events/${enc(event.id)}/recap`, text: t('erecap.label') }));
  for (const n of document.querySelectorAll('.org-only')) show(n, org);
  fill($('#stages'), event.stages.map(stageItem));
  if (!event.stages.length) fill($('#stages'), el('li', { class: 'muted', text: org ? t('ev.noStageOrg') : t('ev.noStage') }));
  drawMembers();
  if (org) {
    fill($('#announce-stages'), event.stages.map((st) => el('label', {},
      el('input', { type: 'checkbox', value: st.id, checked: true }), ` ${st.name}`)));
    await loadAnnouncements();
    eventFields($('#edit-form'), event, t('ev.form.save'));
    drawLogo();
    await loadInvites();
  }
}

function drawMembers() {
  const org = event.role === 'organizer';
  fill($('#members'), members.map((m) => {
    const item = el('li', {}, el('span', { class: 'name', text: m.displayName }), el('span', { class: 'muted', text: m.role === 'organizer' ? t('ev.role.organizer') : t('ev.role.dj') }));
    if (org) {
      const rm = el('button', { type: 'button', class: 'danger', text: t('ev.remove') });
      rm.addEventListener('click', async () => {
        try {
          await call(`/api/events/${enc(event.id)}/members/${enc(m.djId)}`, { method: 'DELETE' });
          members = members.filter((x) => x.djId !== m.djId);
          drawMembers();
        } catch (err) {
          toast(err.message);
        }
      });
      item.append(rm);
    }
    return item;
  }));
}

function drawLogo() {
  const img = $('#logo-preview');
  show(img, !!event.logoUrl);
  show($('#logo-remove'), !!event.logoUrl);
  if (event.logoUrl) img.src = `${event.logoUrl}?v=${Date.now()}`;
}

$('#logo').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  $('#logo-error').textContent = '';
  if (!file) return;
  if (file.size > 256 * 1024) {
    $('#logo-error').textContent = t('ev.logo.tooBig', { kb: Math.round(file.size / 1024) });
    return;
  }
  try {
    const res = await fetch(`/api/events/${enc(event.id)}/logo`, { method: 'PUT', body: file, headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) {
      const data = await res.json().catch(() => ({}));
      throw new Error(data.error || t('common.serverAnswered', { status: String(res.status) }));
    }
    event.logoUrl = `/api/events/${event.id}/logo`;
    drawLogo();
  } catch (err) {
    $('#logo-error').textContent = err.message;
  }
});

$('#logo-remove').addEventListener('click', async () => {
  try {
    await call(`/api/events/${enc(event.id)}/logo`, { method: 'DELETE' });
    event.logoUrl = '';
    drawLogo();
  } catch (err) {
    $('#logo-error').textContent = err.message;
  }
});

$('#edit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  $(`#${form.id}-error`).textContent = '';
  try {
    await call(`/api/events/${enc(event.id)}`, { method: 'PUT', body: eventBody(form) });
    await loadEvent(event.id);
    toast(t('ev.saved'));
  } catch (err) {
    $(`#${form.id}-error`).textContent = err.message;
  }
});

$('#stage-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#stage-error').textContent = '';
  const name = $('#stage-name').value.trim();
  if (!name) {
    $('#stage-error').textContent = t('ev.stage.needName');
    return;
  }
  try {
    await call(`/api/events/${enc(event.id)}/stages`, { method: 'POST', body: { name } });
    $('#stage-name').value = '';
    await loadEvent(event.id);
  } catch (err) {
    $('#stage-error').textContent = err.message;
  }
});

async function loadAnnouncements() {
  const list = (await call(`/api/events/${enc(event.id)}/announcements`)) || [];
  const names = Object.fromEntries(event.stages.map((st) => [st.id, st.name]));
  fill($('#announcements'), list.map((a) => {
    const where = a.stageIds.length ? a.stageIds.map((id) => names[id] || '?').join(', ') : t('ev.ann.everyStage');
    const until = a.expiresAt ? t('ev.ann.until', { time: new Date(a.expiresAt).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', timeZone: event.timeZone }) }) : t('ev.ann.untilCleared');
    const clear = el('button', { type: 'button', class: 'danger', text: t('ev.ann.clear') });
    clear.addEventListener('click', async () => {
      try {
        await call(`/api/events/${enc(event.id)}/announcements/${enc(a.announcementId)}`, { method: 'DELETE' });
        await loadAnnouncements();
      } catch (err) {
        toast(err.message);
      }
    });
    return el('li', {}, el('span', { class: 'name', text: a.text }), el('span', { class: 'muted', text: `${where} · ${until}` }), clear);
  }));
}

$('#announce-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#announce-error').textContent = '';
  const text = $('#announce-text').value.trim();
  const boxes = [...document.querySelectorAll('#announce-stages input')];
  const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
  if (!text) {
    $('#announce-error').textContent = t('ev.ann.needText');
    return;
  }
  if (!chosen.length) {
    $('#announce-error').textContent = t('ev.ann.needStage');
    return;
  }
  const body = { text, durationS: Number($('#announce-duration').value) };
  if (chosen.length < boxes.length) body.stageIds = chosen;
  try {
    await call(`/api/events/${enc(event.id)}/announcements`, { method: 'POST', body });
    $('#announce-text').value = '';
    toast(t('ev.ann.done'));
    await loadAnnouncements();
  } catch (err) {
    $('#announce-error').textContent = err.message;
  }
});

async function loadInvites() {
  const list = (await call(`/api/events/${enc(event.id)}/invites`)) || [];
  fill($('#invites'), list.map((inv) => {
    const state = inv.acceptedAt ? t('ev.inv.acceptedBy', { name: inv.acceptedBy }) : new Date(inv.expiresAt) < new Date() ? t('ev.inv.expired') : t('ev.inv.openUntil', { date: new Date(inv.expiresAt).toLocaleDateString(locale) });
    const item = el('li', {}, el('span', { class: 'name', text: inv.label }),
      el('span', { class: 'muted', text: `${inv.role === 'organizer' ? t('ev.role.coOrganizer') : t('ev.role.dj')} · ${state}` }));
    if (!inv.acceptedAt) {
      const rv = el('button', { type: 'button', class: 'danger', text: t('ev.inv.revoke') });
      rv.addEventListener('click', async () => {
        try {
          await call(`/api/events/${enc(event.id)}/invites/${enc(inv.id)}`, { method: 'DELETE' });
          await loadInvites();
        } catch (err) {
          toast(err.message);
        }
      });
      item.append(rv);
    }
    return item;
  }));
}

$('#invite-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#invite-error').textContent = '';
  const label = $('#invite-label').value.trim();
  if (!label) {
    $('#invite-error').textContent = t('ev.inv.needLabel');
    return;
  }
  try {
    const inv = await call(`/api/events/${enc(event.id)}/invites`, { method: 'POST', body: { label, role: $('#invite-role').value } });
    $('#invite-label').value = '';
    $('#new-invite-label').textContent = inv.label;
    $('#new-invite-url').textContent = inv.url.startsWith('/') ? location.origin + inv.url : inv.url;
    show($('#new-invite'), true);
    await loadInvites();
  } catch (err) {
    $('#invite-error').textContent = err.message;
  }
});

$('#new-invite-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('#new-invite-url').textContent);
    toast(t('share.copied'));
  } catch {
    toast(t('ev.inv.copyBlocked'));
  }
});
$('#new-invite-done').addEventListener('click', () => {
  $('#new-invite-url').textContent = '';
  show($('#new-invite'), false);
});

async function route() {
  if (!token) {
    toLogin();
    return;
  }
  const id = location.hash.slice(1);
  try {
    if (/^[0-9a-f]{16}$/.test(id)) {
      await loadEvent(id);
      show($('#events-page'), false);
      show($('#event-page'), true);
    } else {
      await loadList();
      show($('#event-page'), false);
      show($('#events-page'), true);
    }
    show($('#status'), false);
  } catch (err) {
    $('#status').textContent = err.message;
    show($('#status'), true);
  }
  document.body.dataset.loaded = 'true';
}

window.addEventListener('hashchange', route);
route();
