import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild } from './registry.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether a process with this pid still runs (signal 0 probes without signalling). A zombie — dead,
 * waiting for its new parent (PID 1 here) to reap it, which a loaded machine can delay — counts
 * as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Gone meanwhile, or no /proc: the signal probe said it existed.
    return existsSync('/proc') ? false : true;
  }
}

/**
 * Runs one of Gavel's entry points (`main.ts`, `orchestrator/main.ts`…, with `args`) with `env` on top of this
 * process's, until it exits — as a start-up refusal does — or `withinMs` pass: then it is killed,
 * so a process that started anyway fails the test instead of being left running.
 */
export function runUntilExit(
  script: string,
  env: Record<string, string>,
  withinMs = 40_000,
  args: readonly string[] = [],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the registry kills it and anything it started, even on a timeout.
      detached: true,
    });
    trackChild(script, child, { group: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const started = setTimeout(() => child.kill('SIGKILL'), withinMs);
    child.once('exit', (code) => {
      clearTimeout(started);
      resolve({ code, out, err });
    });
  });
}

export interface RunningStart {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** SIGTERM (SIGKILL if it is still running 5 s later), then resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `npm start`'s process — `main.ts`, or another command running it (e.g. under `script`
 * for a terminal) — with `env` on top of this process's, and resolves once it says it is running.
 */
export async function startUntilRunning(
  env: Record<string, string>,
  command: { file: string; args: string[] } = {
    file: process.execPath,
    args: ['--import', 'tsx', 'main.ts'],
  },
): Promise<RunningStart> {
  const child = spawn(command.file, command.args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the registry kills it and anything it started, even on a timeout.
    detached: true,
  });
  const close = trackChild(command.args.join(' '), child, { group: true });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  // SIGTERM to its group, SIGKILL after a grace; resolves once it exited.
  const stop = close;
  // Generous: PGlite alone takes seconds, and more on a loaded machine.
  const deadline = Date.now() + 100_000;
  while (!out.includes('Stop with Ctrl-C')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not say it is running:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { output: () => out, stop };
}

/**
 * Starts one of Gavel's entry points with `env` on top of a bare environment (PATH, HOST=127.0.0.1,
 * LOG_LEVEL=warn) and resolves once `ready` answers 2xx; rejects with its output if it exits first.
 */
export async function runUntilReady(
  script: string,
  env: Record<string, string>,
  ready: string,
  withinMs = 90_000,
): Promise<RunningStart> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the registry kills it and anything it started, even on a timeout.
    detached: true,
  });
  const stop = trackChild(script, child, { group: true, graceMs: 10_000 });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${script} exited with ${child.exitCode}: ${out}`);
    }
    const ok = await fetch(ready).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { output: () => out, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${script} did not answer ${ready} within ${withinMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
