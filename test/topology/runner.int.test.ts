import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  httpReady,
  lineReady,
  ProcessRunner,
  type ExitRecord,
} from '../../tools/topology/index.ts';
import { eventually } from '../support/hub-redis.ts';
import { isAlive as alive } from '../support/process.ts';

/** A tiny service: JSON lines on stdout, a line on stderr, /healthz on PORT, a grandchild `sleep`. */
const SERVICE = `
const http = require('node:http');
const { spawn } = require('node:child_process');
const kid = spawn('sleep', ['300'], { stdio: 'ignore' });
console.log(JSON.stringify({ msg: 'starting', grandchild: kid.pid }));
console.error('a line on stderr');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ msg: 'listening', port: Number(process.env.PORT) })));
`;

describe('ProcessRunner', () => {
  const dirs: string[] = [];
  const runners: ProcessRunner[] = [];
  const newRunner = (): ProcessRunner => {
    const dir = mkdtempSync(join(tmpdir(), 'gavel-runner-'));
    dirs.push(dir);
    const r = new ProcessRunner({ logDir: join(dir, 'logs') });
    runners.push(r);
    return r;
  };
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.shutdown();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts a process with its env, waits for /healthz, captures its lines per incarnation, and SIGKILLs its whole group', async () => {
    const runner = newRunner();
    const port = await freePort();
    const svc = runner.add({
      name: 'svc',
      command: process.execPath,
      args: ['-e', SERVICE],
      env: { PORT: String(port) },
      ready: httpReady(`http://127.0.0.1:${port}/healthz`),
    });
    await svc.start();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const started = await svc.waitForLine(/"msg":"starting"/);
    const grandchild = (JSON.parse(started) as { grandchild: number }).grandchild;
    expect(alive(grandchild)).toBe(true);

    const exit = (await svc.kill())!;
    expect(exit).toMatchObject({ name: 'svc', incarnation: 1, signal: 'SIGKILL', unexpected: false });
    // The group went with it: nothing it started is left behind.
    await eventually(() => expect(alive(grandchild)).toBe(false), 10_000);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    await svc.start();
    expect(svc.incarnation).toBe(2);
    await svc.waitForLine(/"msg":"listening"/, { after: svc.startMark });
    const first = readFileSync(svc.logFile(1), 'utf8').split('\n');
    expect(first).toContain('a line on stderr');
    expect(first.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(
      ['starting', 'listening'],
    );
    expect(readFileSync(svc.logFile(2), 'utf8')).toContain('"msg":"listening"');
    await svc.stop();
    expect(runner.crashes()).toEqual({});
  });

  it('tells a crash from a kill, starts a crashed process again when asked, and says why a start failed', async () => {
    const runner = newRunner();
    const exits: ExitRecord[] = [];
    runner.on('exit', (e: ExitRecord) => exits.push(e));
    const flaky = runner.add({
      name: 'flaky',
      command: process.execPath,
      // Crashes (exit 3) 300 ms after its ready line, every time it is started.
      args: [
        '-e',
        "console.log('ready'); setTimeout(() => process.exit(3), 300); setInterval(() => {}, 1000);",
      ],
      ready: lineReady(/^ready$/),
      restartOnCrash: true,
    });
    await flaky.start();
    await eventually(() => expect(flaky.incarnation).toBeGreaterThanOrEqual(2), 15_000);
    expect(exits[0]).toMatchObject({ name: 'flaky', code: 3, unexpected: true });
    expect(runner.crashes().flaky).toBeGreaterThanOrEqual(1);
    await flaky.stop();

    const broken = runner.add({
      name: 'broken',
      command: process.execPath,
      args: ['-e', "console.error('config: PORT is required'); process.exit(2);"],
      ready: () => Promise.resolve(false),
    });
    await expect(broken.start()).rejects.toThrow(/exited before it was ready[\s\S]*PORT is required/);
  });

  it('leaves no process behind when the runner itself is SIGKILLed', async () => {
    // A parent holding a runner with one child; the parent prints the child's pid, then is killed.
    const logDir = mkdtempSync(join(tmpdir(), 'gavel-runner-'));
    dirs.push(logDir);
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
        import { ProcessRunner } from './tools/topology/index.ts';
        const r = new ProcessRunner({ logDir: process.env.LOG_DIR });
        const p = r.add({ name: 'sleeper', command: 'sleep', args: ['300'] });
        await p.start();
        console.log('child ' + p.pid);
        setInterval(() => {}, 1000);
        `,
      ],
      { env: { ...process.env, LOG_DIR: join(logDir, 'logs') }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /child (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      parent.once('exit', (code) =>
        reject(new Error(`parent exited with ${code} before starting its child`)),
      );
    });
    expect(alive(childPid)).toBe(true);
    // setpriv arms the parent-death signal and then execs the command: until the pid shows the
    // command, a loaded machine may not have run setpriv that far, and a parent killed before then
    // leaves nothing armed. Wait for the exec (the armed state), then kill the parent.
    await eventually(
      () => expect(readFileSync(`/proc/${childPid}/comm`, 'utf8').trim()).toBe('sleep'),
      10_000,
    );
    parent.kill('SIGKILL');
    await eventually(() => expect(alive(childPid)).toBe(false), 10_000);
  }, 60_000);
});
