/** @jsxImportSource hono/jsx */
/**
 * The panel's frame: header, navigation (a list other features add their entries to), the main
 * region, and the small components every page uses (field with its error, money, time).
 */
import type { Child, FC } from 'hono/jsx';

/** One entry of the panel's navigation. Other features (staff, invitations, imports) add theirs through `PanelOptions.nav`. */
export interface NavEntry {
  href: string;
  label: string;
}

export const CORE_NAV: readonly NavEntry[] = [
  { href: '/admin/sales', label: 'Sales' },
  { href: '/admin/bidders', label: 'Bidders' },
  { href: '/admin/audit', label: 'Audit log' },
  // Staff accounts, roles and sessions (gateway/session/staff pages, docs/accounts.md).
  { href: '/admin/staff', label: 'Staff' },
];

export interface FrameProps {
  title: string;
  nav: readonly NavEntry[];
  current?: string | undefined;
  who: { name: string; email: string };
  csrf: string;
  children?: Child;
}

export const Frame: FC<FrameProps> = (p) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {/* htmx would add an inline <style> (refused by the CSP) and may evaluate attributes: neither. */}
      <meta
        name="htmx-config"
        content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'
      />
      <title>{`${p.title} · Gavel back office`}</title>
      <link rel="stylesheet" href="/admin/assets/panel.css" />
      <script src="/admin/assets/htmx.min.js" defer></script>
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">
          <a href="/admin">Gavel</a> <span>back office</span>
        </p>
        <nav aria-label="Back office">
          <ul>
            {p.nav.map((n) => (
              <li>
                <a href={n.href} aria-current={p.current === n.href ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form method="post" action="/sign-out" class="who">
          <span>{p.who.name}</span>
          <input type="hidden" name="csrf" value={p.csrf} />
          <button type="submit" class="link">
            Sign out
          </button>
        </form>
      </header>
      <main id="main" tabindex={-1}>
        {p.children}
      </main>
    </body>
  </html>
);

/** A page-level message: the API's refusal (role=alert) or a confirmation (role=status). */
export const Notice: FC<{ kind: 'error' | 'ok'; text: string | undefined }> = ({ kind, text }) =>
  text === undefined ? null : (
    <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );

export interface FieldProps {
  name: string;
  /** The element id when the name repeats on the page (default: from the name). */
  id?: string | undefined;
  label: string;
  value?: string | undefined;
  type?: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  readonly?: boolean;
  inputmode?: 'decimal' | 'numeric' | undefined;
  placeholder?: string | undefined;
  autocomplete?: string | undefined;
}

const idOf = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A labelled input with its hint and its error, tied together with aria-describedby. */
export const Field: FC<FieldProps> = (p) => {
  const id = p.id ?? idOf(p.name);
  const described = [p.hint === undefined ? '' : `${id}-hint`, p.error === undefined ? '' : `${id}-error`]
    .filter((s) => s !== '')
    .join(' ');
  return (
    <div class={p.error === undefined ? 'field' : 'field invalid'}>
      <label for={id}>{p.label}</label>
      {p.hint === undefined ? null : (
        <small id={`${id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        required={p.required === true}
        readonly={p.readonly === true}
        inputmode={p.inputmode}
        placeholder={p.placeholder}
        autocomplete={p.autocomplete ?? 'off'}
        aria-invalid={p.error === undefined ? undefined : 'true'}
        aria-describedby={described === '' ? undefined : described}
      />
      <FieldError id={`${id}-error`} error={p.error} />
    </div>
  );
};

export const FieldError: FC<{ id: string; error: string | undefined }> = ({ id, error }) =>
  error === undefined ? null : (
    <p id={id} class="field-error">
      {error}
    </p>
  );

export interface SelectProps {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly (readonly [string, string])[];
  error?: string | undefined;
  hint?: string | undefined;
}

export const Select: FC<SelectProps> = (p) => {
  const id = idOf(p.name);
  const described = [p.hint === undefined ? '' : `${id}-hint`, p.error === undefined ? '' : `${id}-error`]
    .filter((s) => s !== '')
    .join(' ');
  return (
    <div class={p.error === undefined ? 'field' : 'field invalid'}>
      <label for={id}>{p.label}</label>
      {p.hint === undefined ? null : (
        <small id={`${id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
      <select
        id={id}
        name={p.name}
        aria-invalid={p.error === undefined ? undefined : 'true'}
        aria-describedby={described === '' ? undefined : described}
      >
        {p.options.map(([v, l]) => (
          <option value={v} selected={v === p.value}>
            {l}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} error={p.error} />
    </div>
  );
};

export const TextArea: FC<FieldProps & { rows?: number }> = (p) => {
  const id = idOf(p.name);
  const described = [p.hint === undefined ? '' : `${id}-hint`, p.error === undefined ? '' : `${id}-error`]
    .filter((s) => s !== '')
    .join(' ');
  return (
    <div class={p.error === undefined ? 'field wide' : 'field wide invalid'}>
      <label for={id}>{p.label}</label>
      {p.hint === undefined ? null : (
        <small id={`${id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 3}
        required={p.required === true}
        aria-invalid={p.error === undefined ? undefined : 'true'}
        aria-describedby={described === '' ? undefined : described}
      >
        {p.value ?? ''}
      </textarea>
      <FieldError id={`${id}-error`} error={p.error} />
    </div>
  );
};

/** A POST form with the session's CSRF token; `confirm` is left to the button's own wording (no script needed). */
export const PostForm: FC<{
  action: string;
  csrf: string;
  class?: string;
  children?: Child;
  label?: string;
}> = (p) => (
  <form method="post" action={p.action} class={p.class} aria-label={p.label}>
    <input type="hidden" name="csrf" value={p.csrf} />
    {p.children}
  </form>
);

/** A value or an em dash. */
export const orDash = (v: unknown): string =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

/** An ISO instant shown in a time zone, with the zone named. */
export function inZone(iso: unknown, zone: string): string {
  if (typeof iso !== 'string' || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(d)} (${zone})`;
}
