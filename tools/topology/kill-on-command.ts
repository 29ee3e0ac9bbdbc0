import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hasSetpriv } from './child.ts';

/**
 * A process of its own (on an idle event loop, at a higher scheduling priority where allowed) that
 * follows a Redis server's MONITOR feed and SIGKILLs `pid` the moment Redis has executed a command
 * containing one of `needles` — faster than a busy test process could, so the kill lands between
 * Redis's answer and what the victim does next with it.
 */
const WATCHER = `
const net = require('node:net');
const [port, pid, ...needles] = process.argv.slice(1);
const s = net.connect(Number(port), '127.0.0.1', () => s.write('MONITOR\\r\\n'));
let buf = '';
s.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\r\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 2);
    if (line === '+OK') { process.stdout.write('ready\\n'); continue; }
    const hit = needles.find((n) => line.includes(n));
    if (hit !== undefined) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch {}
      process.stdout.write('killed ' + hit + '\\n');
      process.exit(0);
    }
  }
});
s.on('error', (e) => { process.stdout.write('error ' + e.message + '\\n'); process.exit(1); });
s.on('close', () => process.exit(1));
`;

export interface CommandKiller {
  /** Resolves with the needle that set the kill off (undefined when the watcher ended without one). */
  fired: Promise<string | undefined>;
  /** Stops watching (when the kill came from elsewhere). */
  cancel(): void;
}

/** Starts the watcher; resolves once its MONITOR feed is on. */
export function killOnRedisCommand(
  redisPort: number,
  pid: number,
  needles: string[],
): Promise<CommandKiller> {
  // nice -n -10 needs privileges (without them it runs the watcher at normal priority); the
  // parent-death signal takes the watcher down with this process, as the runner's children.
  const args = ['-n', '-10', process.execPath, '-e', WATCHER, String(redisPort), String(pid), ...needles];
  const child = hasSetpriv()
    ? spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'nice', ...args], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
    : spawn('nice', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout });
  let fire!: (needle: string | undefined) => void;
  const fired = new Promise<string | undefined>((resolve) => (fire = resolve));
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') resolve({ fired, cancel: () => child.kill('SIGKILL') });
      else if (line.startsWith('killed ')) fire(line.slice('killed '.length));
      else if (line.startsWith('error ')) reject(new Error(`MONITOR watcher: ${line}`));
    });
    child.once('exit', () => {
      fire(undefined);
      reject(new Error('the MONITOR watcher ended before its feed was on'));
    });
  });
}
