// PhatAm's service worker (served at /sw.js by apps.curriculum.views.service_worker).
//
// - The app shell (the chart page, its CSS/JS, the manifest, the icons) is kept at install.
// - Pages: the network first, the kept copy when there is none.
// - The chart payload (/api/phonemes/, /api/minimal-pairs/): stale-while-revalidate, so the
//   chart opens at once and a newly pinned recording reaches the phone on the next online
//   visit (the copy is replaced by the network's answer in the background).
// - Audio (/media/): the copy the learner downloaded ("Tải về để học khi không có mạng"),
//   else the network.
// - Nothing else is touched: POSTs, the learner's API calls, the admin and the studio go to
//   the network as if there were no worker.
"use strict";

const VERSION = "{{ version }}";
const SHELL = {{ shell|safe }};
const SHELL_CACHE = `phatam-shell-${VERSION}`;
const DATA_CACHE = "phatam-data";
const AUDIO_CACHE = "phatam-audio";
const PAGE_CACHE = "phatam-pages";
const OFFLINE_PAGES = ["/", "/hoc/ngoai-tuyen/"];
const KEPT = [SHELL_CACHE, DATA_CACHE, AUDIO_CACHE, PAGE_CACHE];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => !KEPT.includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function staleWhileRevalidate(event) {
  const request = event.request;
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(DATA_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  });
  event.waitUntil(fresh.catch(() => undefined));
  // ignoreVary: the payload varies on Accept-Encoding, which the browser sets below fetch().
  return caches
    .match(request, { cacheName: DATA_CACHE, ignoreVary: true })
    .then((kept) => kept || fresh);
}

async function networkFirstPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept =
      (await caches.match(request, { ignoreSearch: true, cacheName: PAGE_CACHE })) ||
      (await caches.match(request, { ignoreSearch: true }));
    if (kept) return kept;
    throw error;
  }
}

async function audio(request) {
  // A media element asks with a Range header; the whole file answers it (200), as Chromium
  // and Firefox accept from a service worker.
  const kept = await caches.match(request.url, { cacheName: AUDIO_CACHE, ignoreVary: true });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Only the two pages that work offline are kept (a learner's other pages are theirs).
    if (OFFLINE_PAGES.includes(url.pathname)) event.respondWith(networkFirstPage(request));
    return;
  }
  if (url.pathname === "/api/phonemes/" || url.pathname === "/api/minimal-pairs/") {
    event.respondWith(staleWhileRevalidate(event));
  } else if (url.pathname.startsWith("/media/")) {
    event.respondWith(audio(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  }
});
