/**
 * `/sign-in?next=<path>`: where a bidder returns once signed in. Only a path on this site is taken —
 * `/…`, never `//…` (another host), no scheme, no backslash (browsers read `/\` as `//`), no control
 * characters — so the parameter cannot send anyone to another site (an open redirect).
 */
export function safeNextPath(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined || raw.length === 0 || raw.length > 2048) return undefined;
  if (!raw.startsWith('/') || raw.startsWith('//')) return undefined;
  // Backslashes, control characters and spaces (browsers strip tabs and newlines from URLs).
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return undefined;
  }
  // The path must stay on this origin once a URL parser has read it (e.g. no `/%2F…` tricks past a proxy).
  let url: URL;
  try {
    url = new URL(raw, 'http://gavel.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://gavel.invalid') return undefined;
  return raw;
}
