// Service worker of one participant's private page, served at /inscription/<token>/hors-connexion.js
// with scope /inscription/<token> by app/public/offline.py, which puts VERSION, ASSETS (static
// files), SCOPE and KEPT (that link's page, badge, agenda PDF and calendar) in front of this file.
// Network first, the kept copy when the network fails. Nothing else is kept: not the forms'
// pages, not what they send, nothing of another link (each link has its own worker and cache).
/* global VERSION, ASSETS, SCOPE, KEPT */

const CACHE = "villages-programme-" + SCOPE;
// Past this, a page load under a failing network shows the kept copy instead of waiting.
const NETWORK_PATIENCE_MS = 4000;
// The private page renders this banner hidden; the kept copy shows it (see templates/public/registration.html).
const HIDDEN_BANNER = "data-offline-banner hidden";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...KEPT, ...ASSETS]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function withPatience(promise) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network too slow")), NETWORK_PATIENCE_MS);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

// The link no longer opens (data erased) or keeps nothing (place cancelled, schedule withdrawn):
// keep nothing more, not even what the page still loads after this.
let forgotten = false;
async function forget() {
  forgotten = true;
  await self.registration.unregister();
  await caches.delete(CACHE);
}

self.addEventListener("message", (event) => {
  if (event.data === "oublier") event.waitUntil(forget());
});

async function fromCache(url) {
  const kept = await caches.match(url, { cacheName: CACHE, ignoreSearch: true, ignoreVary: true });
  if (!kept || url !== SCOPE) return kept;
  const html = (await kept.text()).replace(HIDDEN_BANNER, "data-offline-banner");
  const headers = new Headers(kept.headers);
  headers.delete("Content-Length");  // the banner's « hidden » is gone
  return new Response(html, { status: kept.status, headers });
}

async function networkFirst(request, url) {
  try {
    const response = await withPatience(fetch(request));
    if (forgotten) return response;
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(url, response.clone());
    } else if (url === SCOPE && (response.status === 404 || response.status === 410)) {
      await forget();
    }
    return response;
  } catch (error) {
    const kept = await fromCache(url);
    if (kept) return kept;
    throw error;
  }
}

const NEEDS_CONNECTION = `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Connexion nécessaire</title>
<link rel="stylesheet" href="${ASSETS.find((url) => url.includes("/css/site.css"))}"></head>
<body><main class="wrap"><h1>Connexion nécessaire</h1>
<p>Cette page demande une connexion à Internet : modifier ou annuler votre inscription, répondre
à une demande ou envoyer un formulaire ne se fait qu'en ligne.</p>
<p><a href="${SCOPE}">Revenir à mon inscription et à mon programme</a> (lisible hors connexion).</p>
</main></body></html>`;

// Another page of this link (a form): the network only, and a French page saying so when it fails.
async function onlineOnly(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return new Response(NEEDS_CONNECTION, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (KEPT.includes(path) || ASSETS.includes(path)) {
    event.respondWith(networkFirst(request, path));
  } else if (request.mode === "navigate" && path.startsWith(SCOPE + "/")) {
    event.respondWith(onlineOnly(request));
  }
});
