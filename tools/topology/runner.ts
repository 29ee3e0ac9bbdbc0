/**
 * Named child processes for a topology on one machine (`npm run chaos`, `npm run cluster`, tests):
 * start each with its own environment, wait until it is ready, SIGKILL / stop / restart it, capture
 * its output line by line into a file per incarnation, and leave nothing behind.
 *
 * No orphans, however the runner ends:
 * - every child gets a parent-death signal (`setpriv --pdeathsig SIGKILL`, util-linux; the kernel
 *   kills it if the runner dies, even by SIGKILL) when setpriv is installed;
 * - every child leads its own process group (detached), and is killed as a group;
 * - on the runner's exit (normal, exception, or SIGINT/SIGTERM/SIGHUP with `handleSignals()`)
 *   every live child is SIGKILLed synchronously.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './net.ts';

/** How the runner knows a process is ready: polled until it answers true (or the process exits). */
export type ReadyProbe = (proc: ManagedProcess) => Promise<boolean>;

export interface ProcessSpec {
  /** Unique in the runner; names the log files (`<name>.<incarnation>.log`). */
  name: string;
  command: string;
  args: string[];
  /** Added over the runner's base environment (PATH, HOME, LANG, TZ, TMPDIR). */
  env?: Record<string, string>;
  cwd?: string;
  ready?: ReadyProbe;
  /** Default 60 s: a loaded two-core machine starts a TypeScript service in seconds, not milliseconds. */
  readyTimeoutMs?: number;
  /** SIGTERM grace before SIGKILL in stop(). Default 10 s. */
  stopTimeoutMs?: number;
  /** Start it again when it exits on its own (as compose's `restart: unless-stopped`). Default false. */
  restartOnCrash?: boolean;
}

export interface ExitRecord {
  name: string;
  incarnation: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Exited without being asked to (not killed or stopped by the runner). */
  unexpected: boolean;
  at: number;
}

export interface RunnerOptions {
  /** Where the log files go (created). */
  logDir: string;
  /** Every output line of every process, as it arrives (progress, tests). */
  onLine?: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** Environment every child starts from; default: PATH, HOME, LANG, TZ and TMPDIR of this process. */
  baseEnv?: Record<string, string>;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
/** Lines kept in memory per process (for waitForLine and error messages). */
const TAIL_LINES = 2000;

let setprivChecked: boolean | undefined;
/** Whether util-linux's setpriv can give a child a parent-death signal here. */
export function hasSetpriv(): boolean {
  if (setprivChecked === undefined) {
    const r = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    setprivChecked = r.status === 0 && r.stdout.includes('--pdeathsig');
  }
  return setprivChecked;
}

/** One named process and its incarnations: `start`, `kill`, `stop`, `restart` keep the spec. */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  /** 0 before the first start; +1 per start. */
  incarnation = 0;
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<ExitRecord> | undefined;
  private expectingExit = false;
  private readonly tail: string[] = [];
  private readonly lineWaiters: { re: RegExp; from: number; resolve: (line: string) => void }[] = [];
  /** Lines seen in total across incarnations (positions for waitForLine). */
  private lineCount = 0;
  /** The position where the current incarnation's output starts. */
  startMark = 0;
  private readonly runner: ProcessRunner;

  constructor(runner: ProcessRunner, spec: ProcessSpec) {
    this.runner = runner;
    this.spec = spec;
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The log file of an incarnation (default: the current one). */
  logFile(incarnation = this.incarnation): string {
    return join(this.runner.logDir, `${this.name}.${incarnation}.log`);
  }

  /** The newest output lines (up to 2,000), across incarnations. */
  recentLines(): string[] {
    return this.tail.slice();
  }

  /** A position to wait from: `waitForLine(re, { after: mark() })` sees only lines after now. */
  mark(): number {
    return this.lineCount;
  }

  /** The first line matching `re` after position `after` that is still in the tail, if any. */
  findLine(re: RegExp, after = 0): string | undefined {
    const start = this.tail.length - (this.lineCount - after);
    for (let i = Math.max(0, start); i < this.tail.length; i++)
      if (re.test(this.tail[i]!)) return this.tail[i];
    return undefined;
  }

  /** Resolves with the first line matching `re` after position `after` (default: any line still in the tail). */
  waitForLine(re: RegExp, opts: { after?: number; timeoutMs?: number } = {}): Promise<string> {
    const from = opts.after ?? Math.max(0, this.lineCount - this.tail.length);
    const found = this.findLine(re, from);
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const w = { re, from, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        const i = this.lineWaiters.indexOf(w);
        if (i >= 0) this.lineWaiters.splice(i, 1);
        reject(new Error(`${this.name}: no line matching ${String(re)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.lineWaiters.push(w);
    });
  }

  /** Starts a new incarnation and waits until its ready probe answers (or throws with its last lines). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    this.incarnation++;
    this.startMark = this.lineCount;
    const { spec } = this;
    const [command, args] = hasSetpriv()
      ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', spec.command, ...spec.args]]
      : [spec.command, spec.args];
    const log = createWriteStream(this.logFile(), { flags: 'a' });
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...this.runner.baseEnv, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.expectingExit = false;
    this.runner.track(this);
    const incarnation = this.incarnation;
    const closed = Promise.all([this.pipeLines(child, 'stdout', log), this.pipeLines(child, 'stderr', log)]);
    this.exitedPromise = new Promise<ExitRecord>((resolve) => {
      child.once('error', (err) => {
        this.onLine(`[runner] could not start ${spec.command}: ${err.message}`, 'stderr', log);
      });
      child.once('close', (code, signal) => {
        void closed.then(() => {
          log.end();
          const rec: ExitRecord = {
            name: this.name,
            incarnation,
            code,
            signal,
            unexpected: !this.expectingExit,
            at: Date.now(),
          };
          this.runner.exited(this, rec);
          resolve(rec);
        });
      });
    });
    await this.waitReady();
  }

  private pipeLines(child: ChildProcess, stream: 'stdout' | 'stderr', log: WriteStream): Promise<void> {
    const source = child[stream];
    if (source === null) return Promise.resolve();
    return new Promise((resolve) => {
      let buf = '';
      source.setEncoding('utf8');
      source.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        // Whole lines only: stdout and stderr share the file, so a line is never split by the other.
        while ((i = buf.indexOf('\n')) >= 0) {
          this.onLine(buf.slice(0, i), stream, log);
          buf = buf.slice(i + 1);
        }
      });
      source.once('close', () => {
        if (buf !== '') this.onLine(buf, stream, log);
        resolve();
      });
    });
  }

  private onLine(line: string, stream: 'stdout' | 'stderr', log: WriteStream): void {
    log.write(`${line}\n`);
    this.lineCount++;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    for (let i = this.lineWaiters.length - 1; i >= 0; i--) {
      const w = this.lineWaiters[i]!;
      if (this.lineCount > w.from && w.re.test(line)) {
        this.lineWaiters.splice(i, 1);
        w.resolve(line);
      }
    }
    this.runner.line(this.name, line, stream);
  }

  private async waitReady(): Promise<void> {
    const probe = this.spec.ready;
    if (probe === undefined) return;
    const timeoutMs = this.spec.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const rec = await this.exitedPromise;
        throw new Error(
          `${this.name} exited before it was ready (code ${rec?.code}, signal ${rec?.signal}):\n${this.tail.slice(-20).join('\n')}`,
        );
      }
      if (await probe(this).catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} was not ready within ${timeoutMs} ms:\n${this.tail.slice(-20).join('\n')}`,
        );
      await sleep(100);
    }
  }

  /** Sends a signal to the process group and waits for the exit. Resolves at once when not running. */
  async signal(sig: NodeJS.Signals): Promise<ExitRecord | undefined> {
    const child = this.child;
    if (child === undefined || !this.running) return undefined;
    this.expectingExit = true;
    killGroup(child, sig);
    return this.exitedPromise;
  }

  /** The next exit of this incarnation is not a crash: something else is about to kill it on the runner's behalf. */
  expectExit(): void {
    this.expectingExit = true;
  }

  /** SIGKILL: the crash under test. Resolves once the process is gone. */
  kill(): Promise<ExitRecord | undefined> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<ExitRecord | undefined> {
    const child = this.child;
    if (child === undefined || !this.running) return undefined;
    this.expectingExit = true;
    const done = this.exitedPromise!;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), this.spec.stopTimeoutMs ?? 10_000);
    const rec = await done;
    clearTimeout(timer);
    return rec;
  }

  /** Kills (SIGKILL by default, or stops with SIGTERM), then starts again and waits until ready. */
  async restart(how: 'kill' | 'stop' = 'kill'): Promise<void> {
    await (how === 'kill' ? this.kill() : this.stop());
    await this.start();
  }

  /** Synchronous last resort (process exit): SIGKILL the group, no waiting. */
  killNow(): void {
    if (this.child !== undefined && this.running) {
      this.expectingExit = true;
      killGroup(this.child, 'SIGKILL');
    }
  }
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
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

/**
 * Runs named processes; see the module comment. Emits `exit` (ExitRecord), `line` (name, line, stream)
 * and `restart-failed` (name, error) when a crashed process with `restartOnCrash` cannot start again.
 */
export class ProcessRunner extends EventEmitter {
  readonly logDir: string;
  readonly baseEnv: Record<string, string>;
  readonly exits: ExitRecord[] = [];
  private readonly procs = new Map<string, ManagedProcess>();
  private readonly live = new Set<ManagedProcess>();
  private readonly opts: RunnerOptions;
  private shuttingDown = false;
  private readonly onProcessExit = (): void => {
    for (const p of this.live) p.killNow();
  };
  private signalHandler: ((sig: NodeJS.Signals) => void) | undefined;

  constructor(opts: RunnerOptions) {
    super();
    this.opts = opts;
    this.logDir = opts.logDir;
    mkdirSync(opts.logDir, { recursive: true });
    this.baseEnv =
      opts.baseEnv ??
      Object.fromEntries(
        BASE_ENV_KEYS.flatMap((k) => {
          const v = process.env[k];
          return v === undefined ? [] : [[k, v]];
        }),
      );
    process.on('exit', this.onProcessExit);
  }

  add(spec: ProcessSpec): ManagedProcess {
    if (this.procs.has(spec.name)) throw new Error(`a process named ${spec.name} exists`);
    const p = new ManagedProcess(this, spec);
    this.procs.set(spec.name, p);
    return p;
  }

  get(name: string): ManagedProcess {
    const p = this.procs.get(name);
    if (p === undefined) throw new Error(`no process named ${name}`);
    return p;
  }

  get names(): string[] {
    return [...this.procs.keys()];
  }

  /** Starts the named processes together and waits until every one is ready. */
  async start(...names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.get(n).start()));
  }

  /** The exits nobody asked for (crashes), per process name. */
  crashes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.exits) if (e.unexpected) out[e.name] = (out[e.name] ?? 0) + 1;
    return out;
  }

  /**
   * Stops every running process (SIGTERM, SIGKILL after each one's grace), in the reverse order
   * of adding, so clients go before the servers they use. Idempotent.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const p of [...this.procs.values()].reverse()) await p.stop();
    process.off('exit', this.onProcessExit);
    if (this.signalHandler !== undefined) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, this.signalHandler);
    }
  }

  /**
   * For command-line tools: on SIGINT, SIGTERM or SIGHUP, shut everything down, run `cleanup`, and
   * exit (130 / 143 / 129). A second signal kills everything at once.
   */
  handleSignals(cleanup: () => Promise<void> = () => Promise.resolve()): void {
    let got = 0;
    this.signalHandler = (sig: NodeJS.Signals) => {
      if (++got > 1) {
        this.onProcessExit();
        process.exit(1);
      }
      const code = sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129;
      void this.shutdown()
        .then(cleanup)
        .finally(() => process.exit(code));
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, this.signalHandler);
  }

  /** @internal */
  track(p: ManagedProcess): void {
    this.live.add(p);
  }

  /** @internal */
  exited(p: ManagedProcess, rec: ExitRecord): void {
    this.live.delete(p);
    this.exits.push(rec);
    this.emit('exit', rec);
    if (rec.unexpected && p.spec.restartOnCrash === true && !this.shuttingDown) {
      // Not 'error': an EventEmitter without a listener for it would throw here.
      p.start().catch((err: unknown) => this.emit('restart-failed', p.name, err));
    }
  }

  /** @internal */
  line(name: string, line: string, stream: 'stdout' | 'stderr'): void {
    this.opts.onLine?.(name, line, stream);
    if (this.listenerCount('line') > 0) this.emit('line', name, line, stream);
  }
}
