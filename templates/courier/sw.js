{% load static %}/* The courier app's service worker: the run page and its files stay usable offline for the day.
   Pages: network first, the last copy when offline. Static files: cache first. The API is never
   cached: updates go through the page's own queue. */
"use strict";
const CACHE = "antar-kurir-v4";  // v4: taking passports (take.js) and the signed QR token at the door
const RUN = "{% url 'courier-run' %}";
const ASSETS = [RUN, "{% static 'courier/run.js' %}", "{% static 'courier/take.js' %}", "{% static 'css/portal.css' %}",
  "{% static 'courier/manifest.webmanifest' %}", "{% static 'courier/icon.svg' %}"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))
  )).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    })));
    return;
  }
  if (url.pathname.startsWith(RUN)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.match(url.pathname).then((hit) => hit || caches.match(RUN))));
  }
});
