/*
 * window.omsPush: web push for this browser (the order page's "Get delivery updates").
 *
 *   omsPush.status()    -> {state, subscription}
 *   omsPush.subscribe() -> {state, subscription} or {state: "error", message}
 *
 * state is "unsupported" (no Push API here), "denied" (notifications blocked),
 * "available" (can subscribe) or "subscribed"; subscription is the browser's
 * PushSubscription.toJSON() ({endpoint, keys: {p256dh, auth}}), which the page
 * hands to the server. Nothing here throws: the page always gets an answer.
 */
(function () {
  "use strict";
  if (window.omsPush) return;

  const WORKER = "/sw.js";
  const PUBLIC_KEY = "/api/v1/push/public-key";

  function supported() {
    return (
      window.isSecureContext &&
      "serviceWorker" in navigator &&
      "PushManager" in window &&
      "Notification" in window
    );
  }

  function fromBase64Url(text) {
    const base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function sameKey(buffer, key) {
    if (!buffer) return false;
    const a = new Uint8Array(buffer);
    return a.length === key.length && a.every((byte, i) => byte === key[i]);
  }

  async function status() {
    if (!supported()) return { state: "unsupported", subscription: null };
    if (Notification.permission === "denied") return { state: "denied", subscription: null };
    try {
      const registration = await navigator.serviceWorker.getRegistration("/");
      const subscription = registration && (await registration.pushManager.getSubscription());
      if (subscription && Notification.permission === "granted") {
        return { state: "subscribed", subscription: subscription.toJSON() };
      }
      return { state: "available", subscription: null };
    } catch (_error) {
      return { state: "unsupported", subscription: null };
    }
  }

  async function subscribe() {
    if (!supported()) return { state: "unsupported", subscription: null };
    try {
      // First, while the click still counts as the person's: browsers prompt only then.
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        return { state: permission === "denied" ? "denied" : "available", subscription: null };
      }
      await navigator.serviceWorker.register(WORKER, { scope: "/" });
      const registration = await navigator.serviceWorker.ready;
      const answer = await fetch(PUBLIC_KEY, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(`the server did not give its key (${answer.status})`);
      const key = fromBase64Url((await answer.json()).public_key);
      let subscription = await registration.pushManager.getSubscription();
      // Made with another server key (it was changed): no push could reach it.
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription ||= await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key,
      });
      return { state: "subscribed", subscription: subscription.toJSON() };
    } catch (error) {
      return { state: "error", subscription: null, message: String(error?.message || error) };
    }
  }

  window.omsPush = { supported, status, subscribe };
})();
