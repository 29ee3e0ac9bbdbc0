import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive as alive } from './process.ts';
import { trackChild } from './registry.ts';

async function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${out}`)));
  });
}

describe('child processes in the registry', () => {
  it('kills a child and what it started (its process group)', async () => {
    // A parent that starts a grandchild, prints its pid, then exits on SIGTERM without stopping it.
    const script = `
      const { spawn } = require('node:child_process');
      const kid = spawn('sleep', ['300'], { stdio: 'ignore' });
      console.log(kid.pid);
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const close = trackChild('parent', child, { group: true });
    const grandchild = Number(await firstLine(child));
    expect(alive(grandchild)).toBe(true);
    await close();
    expect(child.signalCode ?? child.exitCode).not.toBeNull();
    await expect.poll(() => alive(grandchild), { timeout: 5000 }).toBe(false);
  });

  it('SIGKILLs a child that ignores SIGTERM once its grace is over', async () => {
    const script = `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const close = trackChild('stubborn', child, { graceMs: 300 });
    expect(await firstLine(child)).toBe('ready');
    await close();
    expect(child.signalCode).toBe('SIGKILL');
  });
});
