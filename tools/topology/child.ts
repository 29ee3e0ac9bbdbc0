/**
 * Child-process plumbing for the runner: the parent-death signal (util-linux's setpriv), killing a
 * child's whole process group, and reading its output as whole lines.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';

let setprivChecked: boolean | undefined;
/** Whether util-linux's setpriv can give a child a parent-death signal here. */
export function hasSetpriv(): boolean {
  if (setprivChecked === undefined) {
    const r = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    setprivChecked = r.status === 0 && r.stdout.includes('--pdeathsig');
  }
  return setprivChecked;
}

/** The command line that runs `command` with SIGKILL as its parent-death signal, when setpriv is here. */
export function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  return hasSetpriv()
    ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args]]
    : [command, [...args]];
}

/** Signals the child's process group (it leads its own: detached), or the child alone if that fails. */
export function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The child leads its own group (detached): the group takes anything it spawned with it.
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

/** Hands every whole line of one of the child's output streams to `onLine`; resolves when the stream closes. */
export function pipeLines(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  onLine: (line: string) => void,
): Promise<void> {
  const source = child[stream];
  if (source === null) return Promise.resolve();
  return new Promise((resolve) => {
    const split = lineSplitter(onLine);
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => split.write(chunk));
    source.once('close', () => {
      split.end();
      resolve();
    });
  });
}

/**
 * Cuts a stream of text into lines (without their `\n`): whole lines only, so two streams sharing a
 * file never split each other's lines; `end()` flushes an unterminated last line.
 */
export function lineSplitter(onLine: (line: string) => void): { write(chunk: string): void; end(): void } {
  let buf = '';
  return {
    write(chunk) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    },
    end() {
      if (buf !== '') onLine(buf);
      buf = '';
    },
  };
}
