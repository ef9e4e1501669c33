/*
 * The OMS service worker: shows a web push notification and opens its page on click.
 *
 * A push carries JSON {title, body, url, tag} (oms_dashboard/notifications/push.py).
 * Notifications with the same tag replace each other, so one package shows one
 * notification, updated as it moves.
 */
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function readPush(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch (_error) {
    return { body: event.data.text() };
  }
}

self.addEventListener("push", (event) => {
  const data = readPush(event);
  const options = {
    body: data.body || "",
    icon: "/favicon.ico",
    data: { url: data.url || "/" },
  };
  if (data.tag) {
    options.tag = data.tag;
    options.renotify = true; // a replaced notification still tells the person
  }
  event.waitUntil(self.registration.showNotification(data.title || "OMS Dashboard", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only pages of this site: a push never sends anyone elsewhere.
  let target = new URL(event.notification.data?.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => client.url === target.href);
      if (open) return open.focus();
      return self.clients.openWindow(target.href);
    })(),
  );
});
