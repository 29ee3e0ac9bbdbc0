/**
 * The account page's "Notifications on this device" toggle (docs/push-notifications.md): registers
 * the service worker (/sw.js), asks the browser's permission, subscribes with the house's VAPID key
 * and posts the subscription to the gateway (PUT /v1/me/push) — or unsubscribes and tells the
 * gateway (DELETE). Every way it can fail is said in words: no support, permission refused, the
 * browser's push service unreachable.
 */
import type { PushSettings } from '../../common/contracts/push.ts';

const root = document.getElementById('push');
const button = document.getElementById('push-toggle') as HTMLButtonElement | null;
const status = document.getElementById('push-status');
const devices = document.getElementById('push-devices');

function say(text: string): void {
  if (status !== null) status.textContent = text;
}

function showDevices(s: PushSettings): void {
  if (devices !== null)
    devices.textContent =
      s.devices === 0
        ? 'Off on all your devices.'
        : `On for ${s.devices} ${s.devices === 1 ? 'device' : 'devices'}.`;
}

function showState(on: boolean): void {
  if (button === null) return;
  button.hidden = false;
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Turn off notifications' : 'Turn on notifications';
}

/** The VAPID key as `applicationServerKey` takes it. */
function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function call(method: 'PUT' | 'PATCH' | 'DELETE', csrf: string, body: unknown): Promise<PushSettings> {
  const res = await fetch('/v1/me/push', {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & PushSettings;
  if (!res.ok) throw new Error(json.error?.message ?? `the server answered ${res.status}`);
  return json;
}

/** The browser's own words for a failed subscribe, made readable. */
function subscribeProblem(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError')
    return 'This browser did not allow notifications. Allow them for this site in its settings, then try again.';
  if (name === 'AbortError' || name === 'NotSupportedError' || name === 'InvalidStateError')
    return 'This browser could not reach its notification service, so notifications stay off. Try again later, or in another browser.';
  return `Notifications could not be turned on: ${err instanceof Error ? err.message : 'unknown error'}.`;
}

/** The kinds' checkboxes: a change sends the kinds left unticked (turned off for all the bidder's devices). */
function watchKinds(csrf: string): void {
  const boxes = [...document.querySelectorAll<HTMLInputElement>('#push-kinds input[name="push-kind"]')];
  for (const box of boxes)
    box.addEventListener('change', () => {
      const muted = boxes.filter((b) => !b.checked).map((b) => b.value);
      call('PATCH', csrf, { muted }).then(
        () => say(''),
        (err: unknown) => say(err instanceof Error ? err.message : String(err)),
      );
    });
}

async function main(): Promise<void> {
  if (root === null || button === null) return;
  const key = root.dataset.key ?? '';
  const csrf = root.dataset.csrf ?? '';
  watchKinds(csrf);
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    // iPhone and iPad: Safari shows web notifications only for a site added to the home screen.
    say(
      'This browser cannot show notifications from a website. On an iPhone, add this site to your home screen first.',
    );
    return;
  }
  let registration: ServiceWorkerRegistration;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    registration = await navigator.serviceWorker.ready;
  } catch {
    say('Notifications are not available: this browser refused the site’s notification helper.');
    return;
  }
  let current = await registration.pushManager.getSubscription();
  showState(current !== null);
  root.dataset.ready = 'true';
  button.addEventListener('click', () => {
    button.disabled = true;
    void (async () => {
      try {
        if (current !== null) {
          const endpoint = current.endpoint;
          await current.unsubscribe();
          current = null;
          showDevices(await call('DELETE', csrf, { endpoint }));
          showState(false);
          say('Notifications are off on this device.');
          return;
        }
        if ((await Notification.requestPermission()) !== 'granted') {
          say(
            'This browser did not allow notifications. Allow them for this site in its settings, then try again.',
          );
          return;
        }
        say('Turning notifications on…');
        let sub: PushSubscription;
        try {
          sub = await registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(key),
          });
        } catch (err) {
          say(subscribeProblem(err));
          return;
        }
        try {
          showDevices(await call('PUT', csrf, sub.toJSON()));
        } catch (err) {
          // The house refused it: the browser's subscription is no use, so it goes too.
          await sub.unsubscribe().catch(() => undefined);
          say(
            `Notifications could not be turned on: ${err instanceof Error ? err.message : 'unknown error'}.`,
          );
          return;
        }
        current = sub;
        showState(true);
        say('Notifications are on for this device.');
      } catch (err) {
        say(`Something went wrong: ${err instanceof Error ? err.message : 'unknown error'}.`);
      } finally {
        button.disabled = false;
      }
    })();
  });
}

void main();
