import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './registry.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  /** stdout: the one JSON line of figures on success. */
  out: string;
  /** stderr: progress, and the message on failure. */
  err: string;
  /** The figures line parsed (undefined when stdout had none). */
  figures: Record<string, unknown> | undefined;
}

/**
 * `npm run backup|restore -- …args` as a child process (tools/backup/main.ts under tsx), with `env`
 * on top of this process's (`PATH` included, to take pg_dump away); killed after `withinMs`.
 */
export function runBackupCli(
  command: 'backup' | 'restore',
  args: string[],
  env: Record<string, string>,
  withinMs = 120_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/backup/main.ts', command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    trackChild(`npm run ${command}`, child, { group: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), withinMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      let figures: Record<string, unknown> | undefined;
      try {
        figures = line === '' ? undefined : (JSON.parse(line) as Record<string, unknown>);
      } catch {
        figures = undefined;
      }
      resolve({ code, out, err, figures });
    });
  });
}
