/* sw.js - the board's service worker, and all it does: show the board's notifications
 * and bring the board back when one is tapped. Android's Chrome shows notifications
 * only through a service worker (ServiceWorkerRegistration.showNotification; `new
 * Notification()` throws there), and a service worker needs a secure context (https://,
 * or localhost) and this file served as JavaScript -- lighttpd under `callbell broker`
 * does both (README, "Web board").
 *
 * No fetch handler and no cache, on purpose: a board that opened from a cache while
 * the broker or the page changed would show a stale evening as if it were live.
 * Without a fetch handler every request goes to the network as if there were no worker.
 */
'use strict';

self.addEventListener('install', function () {
  self.skipWaiting(); /* a new version takes over at once: it holds no state */
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

/* A tap: focus a window showing the board (the one that sent it if it is still open),
 * else open the board at the URL the notification carries. */
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var scope = self.registration.scope;
  var url = (event.notification.data && event.notification.data.url) || scope;
  if (url.indexOf(scope) !== 0) url = scope; /* only ever our own pages */
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
    var board = null;
    for (var i = 0; i < list.length; i++) {
      var c = list[i];
      if (c.url.indexOf(scope) !== 0 || /\/reports\.html/.test(c.url)) continue;
      if (c.url === url) { board = c; break; }
      if (!board) board = c;
    }
    if (board && board.focus) return board.focus();
    return self.clients.openWindow ? self.clients.openWindow(url) : undefined;
  }));
});
