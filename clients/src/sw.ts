/**
 * The service worker (served at /sw.js, scope /; docs/push-notifications.md): shows a Web Push
 * message as a system notification, and a tap on it focuses the bidder page already open (moved to
 * the lot) or opens one. The DOM typings have no service-worker scope: the few parts used are typed
 * here rather than pulling the WebWorker lib into the pages' program.
 */
import './jitless.ts';
import { pushMessageSchema } from '../../common/contracts/push.ts';

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface ServiceWorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly location: Location;
  readonly clients: {
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', fn: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEvent) => void): void;
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;

/** Only a path on this site: a message can never send the bidder elsewhere. */
const ownPath = (url: unknown): string =>
  typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/bid';

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

sw.addEventListener('push', (e) => {
  let raw: unknown;
  try {
    raw = e.data?.json();
  } catch {
    raw = undefined;
  }
  const parsed = pushMessageSchema.safeParse(raw);
  // Browsers require a notification for every push (userVisibleOnly): a plain one when unreadable.
  const m = parsed.success
    ? parsed.data
    : { title: 'Gavel', body: 'Something happened on a lot you bid on.', tag: 'gavel', url: '/bid' };
  e.waitUntil(
    sw.registration.showNotification(m.title, {
      body: m.body,
      tag: m.tag,
      data: { url: ownPath(m.url) },
      lang: 'en',
    }),
  );
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = ownPath((e.notification.data as { url?: unknown } | null)?.url);
  e.waitUntil(
    (async () => {
      const target = new URL(url, sw.location.origin);
      const open = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // The bidder page already open: moved to the lot and brought forward, not a second copy.
      const page = open.find((c) => new URL(c.url).pathname === target.pathname) ?? open[0];
      if (page !== undefined) {
        const moved = (await page.navigate(target.href).catch(() => null)) ?? page;
        await moved.focus();
        return;
      }
      await sw.clients.openWindow(target.href);
    })(),
  );
});
