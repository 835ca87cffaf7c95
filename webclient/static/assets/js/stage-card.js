// /s/SLUG/card: the printable QR card of a stage, A6 or A5, with the
// event's logo and the stage's name. The QR code is an SVG the relay
// draws, so it prints sharp at any size.

import { $, show } from './dom.js';
import { t } from './i18n.js';
import { api, enc } from './api.js';

const slug = location.pathname.split('/').filter(Boolean)[1] || '';

for (const r of document.querySelectorAll('input[name=size]')) {
  r.addEventListener('change', () => { document.body.className = r.value; });
}
$('#print').addEventListener('click', () => window.print());

async function load() {
  try {
    const { stage, event } = await api(`/api/stages/${enc(slug)}`);
    document.title = t('card.title', { stage: stage.name, event: event.name });
    $('#event-name').textContent = event.name;
    $('#stage-name').textContent = stage.name;
    const link = stage.url.startsWith('/') ? location.origin + stage.url : stage.url;
    $('#link').textContent = link.replace(/^https?:\/\//, '');
    if (event.accent) document.documentElement.style.setProperty('--accent', event.accent);
    if (event.logoUrl) {
      $('#logo').src = event.logoUrl;
      show($('#logo'), true);
    }
    const qr = $('#qr');
    await new Promise((resolve, reject) => {
      qr.onload = resolve;
      qr.onerror = () => reject(new Error(t('card.qrFailed')));
      qr.src = `/api/stages/${enc(slug)}/qr.svg`;
    });
    show($('#card'), true);
    $('#status').textContent = t('card.ready', { stage: stage.name });
  } catch (err) {
    $('#status').textContent = err.status === 404 ? t('card.noStage') : err.message;
  }
  document.body.dataset.loaded = 'true';
}
load();
