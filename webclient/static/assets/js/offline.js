// Registers the service worker (/sw.js) that keeps the pages' shell for a
// bad network; a browser without one (or a private window) works as
// before.
export function keepShellOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
