// Service worker of the scanner page, served at /checkin/sw.js (scope /checkin/) by
// app/checkin/offline.py, which puts VERSION and ASSETS in front of this file.
// The page and everything it needs (JS, CSS, QR decoder) are kept so that the page reloads
// and scans with no network at all. The API is never cached: the page's offline layer
// (offline.js) keeps the roster and the queue itself.
/* global VERSION, ASSETS */

const CACHE = "villages-checkin-" + VERSION;
// Past this, a page load under a failing network shows the kept copy instead of waiting.
const NETWORK_PATIENCE_MS = 4000;

// The scanner page that registered this worker was loaded before the worker existed: keep it too.
async function keepOpenPages(cache) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const scanners = pages.map((page) => new URL(page.url)).filter((url) => url.pathname.startsWith("/checkin/"));
  await Promise.all(scanners.map((url) => cache.add(url.origin + url.pathname)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all([cache.addAll(ASSETS), keepOpenPages(cache)]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("villages-checkin-") && name !== CACHE)
          .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function withPatience(promise) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network too slow")), NETWORK_PATIENCE_MS);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

// The scanner page: fresh from the network when it answers, else the copy kept last time.
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withPatience(fetch(request));
    if (response.ok) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request.url);
    if (kept) return kept;
    throw error;
  }
}

// Scripts, styles, images: the kept copy (they change only with a new VERSION).
async function asset(request) {
  const kept = await caches.match(request, { ignoreSearch: true });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/checkin/")) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(asset(request));
  }
});
