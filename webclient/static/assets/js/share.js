// The recap pages' Share button. Where the browser can share files (phones,
// mostly), it shares the recap's PNG card the relay renders (the picture a
// messenger shows for the link) with the link; else the link alone through
// the share sheet; else the link is copied. body[data-shared] says which
// way it went (file, link, copied, shown), for people debugging and tests.

import { $, show, toast } from './dom.js';
import { t } from './i18n.js';

/** The card as a File, or null when it cannot be had (a private recap's
 * card needs what the page had: the PIN header). */
async function cardFile(cardURL, headers) {
  try {
    const res = await fetch(cardURL, { headers });
    if (!res.ok) return null;
    const blob = await res.blob();
    if (blob.type !== 'image/png') return null;
    return new File([blob], 'pika-recap.png', { type: 'image/png' });
  } catch {
    return null;
  }
}

/**
 * wireShare shows the Share button. The page calls the returned function
 * with the card's URL (and the headers the recap needed) once the recap
 * has loaded: the card is fetched then, not at the tap, because a share
 * sheet opens only close to the tap that asked for it.
 */
export function wireShare() {
  const b = $('#share');
  let file = null;
  show(b, true);
  b.addEventListener('click', async () => {
    const url = location.href;
    const title = document.title;
    const done = (how) => { document.body.dataset.shared = how; };
    try {
      if (file && navigator.canShare && navigator.canShare({ files: [file] })) {
        await navigator.share({ files: [file], title, text: title, url });
        done('file');
        return;
      }
      if (navigator.share) {
        await navigator.share({ title, url });
        done('link');
        return;
      }
      await navigator.clipboard.writeText(url);
      toast(t('share.copied'));
      done('copied');
    } catch (err) {
      if (err && err.name === 'AbortError') return; // the dancer closed the sheet
      toast(t('share.copyThis', { url }), 6000);
      done('shown');
    }
  });
  return async (cardURL, headers = {}) => {
    file = await cardFile(cardURL, headers);
    document.body.dataset.shareCard = file ? 'ready' : 'none';
  };
}
