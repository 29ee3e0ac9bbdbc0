import type { ChildProcess } from 'node:child_process';

/**
 * One registry of everything a test opened — servers, streams, connections, child processes — so
 * nothing outlives the test that opened it, even when the test fails or times out.
 *
 * Helpers call `track(name, close)` for what they open. What is opened while a test (or its
 * beforeEach) runs belongs to that test and is closed after it; what is opened in beforeAll or at
 * a file's top level belongs to the file and is closed after it. `test/support/registry-setup.ts`
 * (a vitest setup file) runs `closeAll` at those two moments: newest first, each close bounded,
 * and a resource that refuses to close fails the file with its name.
 *
 * A resource the test closes itself is forgotten then (the function `track` returns does both),
 * so closing twice never happens.
 */

export type Close = () => unknown;

interface Entry {
  name: string;
  close: Close;
  scope: Scope;
  /** Its own bound, when it may take longer than CLOSE_WITHIN_MS (a child given a grace). */
  withinMs: number | undefined;
}

type Scope = 'test' | 'file';

const open: Entry[] = [];
let scope: Scope = 'file';

/** How long one resource may take to close before it is reported as refusing. */
export const CLOSE_WITHIN_MS = 10_000;

/**
 * Registers `close` for `name`; returns a function that closes it now (once) and forgets it.
 * Use the returned function as the resource's own close so a test closing it early is fine.
 */
export function track(name: string, close: Close, withinMs?: number): () => Promise<void> {
  const entry: Entry = { name, close, scope, withinMs };
  open.push(entry);
  let closing: Promise<void> | undefined;
  return () => {
    forget(entry);
    // Started synchronously: a stream aborted by close() is aborted when close() returns.
    closing ??= (async () => {
      await close();
    })();
    return closing;
  };
}

/**
 * Wraps `resource.close` so it goes through the registry: closing it forgets it, and it is
 * closed after the test if nobody did. Returns the same object.
 */
export function tracked<T extends { close(): unknown }>(name: string, resource: T): T {
  const original = resource.close.bind(resource);
  const close = track(name, original);
  resource.close = close;
  return resource;
}

function forget(entry: Entry): void {
  const i = open.indexOf(entry);
  if (i >= 0) open.splice(i, 1);
}

/** Names of what is still open (newest last), for tests and messages. */
export function stillOpen(): string[] {
  return open.map((e) => e.name);
}

/** The setup file says when a test starts: what opens from now on belongs to that test. */
export function beginTest(): void {
  scope = 'test';
}

/**
 * Closes what is open in `which` scope ('test': what the current test opened; 'file': everything),
 * newest first, each within `withinMs`. Resolves with a line per resource that threw or did not
 * finish closing in time (empty when all closed). What a test opens is file-scoped again afterwards.
 */
export async function closeAll(which: Scope, withinMs = CLOSE_WITHIN_MS): Promise<string[]> {
  if (which === 'test') scope = 'file';
  const refused: string[] = [];
  for (let i = open.length - 1; i >= 0; i--) {
    const entry = open[i];
    if (entry === undefined || (which === 'test' && entry.scope !== 'test')) continue;
    open.splice(i, 1);
    const bound = Math.max(withinMs, entry.withinMs ?? 0);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), bound);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => entry.close()), late]);
      if (outcome === 'late') refused.push(`${entry.name}: still closing after ${bound} ms`);
    } catch (err) {
      refused.push(`${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return refused;
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Sends `signal` to the child's whole process group (it leads one when spawned `detached`), or to the child alone. */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

const children = new Set<{ child: ChildProcess; group: boolean }>();

// A worker that exits (the run is over, or it was torn down after a timeout) kills what is left:
// synchronous, so it runs even on process.exit().
process.once('exit', () => {
  for (const { child, group } of children) if (running(child)) signalChild(child, 'SIGKILL', group);
});

/**
 * Registers a child process: at cleanup it gets SIGTERM (to stop what it started in its own
 * way), then SIGKILL after `graceMs`, and the close waits for its exit. With `group` (spawn it
 * with `detached: true`) the SIGKILL goes to its whole process group, and once the child exited
 * whatever is left in its group is killed too: no grandchild outlives the test. Returns the close
 * function (also fine to call early).
 */
export function trackChild(
  name: string,
  child: ChildProcess,
  opts: { group?: boolean; graceMs?: number } = {},
): () => Promise<void> {
  const group = opts.group ?? false;
  const graceMs = opts.graceMs ?? 5000;
  const item = { child, group };
  children.add(item);
  const close = track(
    `${name} (pid ${child.pid ?? '?'})`,
    async () => {
      if (running(child)) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        signalChild(child, 'SIGTERM', false);
        const timer = setTimeout(() => signalChild(child, 'SIGKILL', group), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // The leader is gone; whatever it started may still be in its group.
      if (group) signalChild(child, 'SIGKILL', true);
      children.delete(item);
    },
    graceMs + 5000,
  );
  child.once('exit', () => {
    if (!group) children.delete(item);
  });
  return close;
}
