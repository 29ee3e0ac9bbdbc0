/**
 * Passkeys on the sign-in and account pages (docs/accounts.md), with @simplewebauthn/browser:
 * - /sign-in: "Sign in with a passkey" (and, where the browser offers it, passkeys in the email
 *   field's autofill: conditional UI); the gateway sets the session cookie and says where to go.
 * - /account: "Add a passkey" (the session's CSRF token is on the form).
 * The pages work without this script (the email link); it only reveals what it can do.
 */
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

interface Challenge<T> {
  challengeId: string;
  options: T;
}

/** A JSON POST to our own API; the gateway's error message when refused. */
async function post<T>(path: string, body: unknown, csrf?: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...(csrf === undefined ? {} : { 'X-CSRF-Token': csrf }) },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & T;
  if (!res.ok) throw new Error(json.error?.message ?? `the server answered ${res.status}`);
  return json;
}

/** What to tell a person when the ceremony stopped: nothing when they cancelled it themselves. */
function explain(err: unknown): string | undefined {
  if (err instanceof Error && err.name === 'AbortError') return undefined;
  if (err instanceof WebAuthnError && err.code === 'ERROR_CEREMONY_ABORTED') return undefined;
  if (err instanceof Error && err.name === 'NotAllowedError')
    return said('cancelled', 'The passkey request was cancelled or timed out.');
  return err instanceof Error ? err.message : said('failed', 'The passkey did not work.');
}

/**
 * A message in the page's language: the sign-in page writes its own into `data-say-*` attributes
 * (docs/bidders.md, "Languages"), so this script carries no catalogue; English where there is none.
 */
function said(what: 'waiting' | 'cancelled' | 'failed', english: string): string {
  const key = `say${what[0]!.toUpperCase()}${what.slice(1)}`;
  return document.getElementById('passkey-sign-in')?.dataset[key] ?? english;
}

function say(el: HTMLElement | null, text: string | undefined): void {
  if (el !== null && text !== undefined) el.textContent = text;
}

async function signIn(autofill: boolean): Promise<void> {
  const { challengeId, options } = await post<Challenge<PublicKeyCredentialRequestOptionsJSON>>(
    '/v1/session/passkey/options',
    {},
  );
  const response = await startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  // `/sign-in?next=…`: the gateway lands there when it is a path of ours.
  const next = new URLSearchParams(location.search).get('next') ?? undefined;
  const { redirect } = await post<{ redirect: string }>('/v1/session/passkey', {
    challengeId,
    response,
    next,
  });
  // Only a path of ours (the gateway's answer), never another site.
  location.assign(redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/');
}

function signInPage(section: HTMLElement): void {
  const button = document.getElementById('passkey-button');
  const status = document.getElementById('passkey-status');
  section.hidden = false;
  button?.addEventListener('click', () => {
    say(status, said('waiting', 'Waiting for your passkey…'));
    // A new ceremony aborts the autofill one (the library's abort service).
    signIn(false).catch((err: unknown) => say(status, explain(err) ?? ''));
  });
  void browserSupportsWebAuthnAutofill().then((yes) => {
    if (yes) signIn(true).catch((err: unknown) => say(status, explain(err)));
  });
}

function accountPage(form: HTMLFormElement): void {
  const status = document.getElementById('passkey-status');
  const csrf = form.dataset.csrf ?? '';
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = (form.elements.namedItem('name') as HTMLInputElement | null)?.value ?? '';
    say(status, 'Follow your device’s prompt…');
    (async () => {
      const { challengeId, options } = await post<Challenge<PublicKeyCredentialCreationOptionsJSON>>(
        '/v1/session/passkeys/options',
        {},
        csrf,
      );
      const response = await startRegistration({ optionsJSON: options });
      await post('/v1/session/passkeys', { challengeId, response, name }, csrf);
      location.assign('/account?notice=passkey-added');
    })().catch((err: unknown) => say(status, explain(err) ?? 'Cancelled.'));
  });
}

// WebAuthn refuses an IP address as the relying party's id: on http://127.0.0.1 the email link is the way.
const ipHost = /^[\d.]+$|^\[/.test(location.hostname);

if (browserSupportsWebAuthn() && !ipHost) {
  const section = document.getElementById('passkey-sign-in');
  const form = document.getElementById('add-passkey');
  if (section !== null) signInPage(section);
  if (form instanceof HTMLFormElement) accountPage(form);
}
