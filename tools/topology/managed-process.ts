/** One named child process of the runner and its incarnations (runner.ts has the module's story). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { killGroup, pipeLines, withParentDeathSignal } from './child.ts';
import { LineTail } from './line-tail.ts';
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

/** What a process needs of the runner that owns it (ProcessRunner). */
export interface ProcessHost {
  readonly logDir: string;
  readonly baseEnv: Record<string, string>;
  /** A process started: kill it if the runner's process exits. */
  track(p: ManagedProcess): void;
  /** A process exited (asked to or not). */
  exited(p: ManagedProcess, rec: ExitRecord): void;
  /** An output line of a process. */
  line(name: string, line: string, stream: 'stdout' | 'stderr'): void;
}

/** Lines kept in memory per process (for waitForLine and error messages). */
const TAIL_LINES = 2000;

/** One named process and its incarnations: `start`, `kill`, `stop`, `restart` keep the spec. */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  /** 0 before the first start; +1 per start. */
  incarnation = 0;
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<ExitRecord> | undefined;
  private expectingExit = false;
  private readonly tail = new LineTail(TAIL_LINES);
  /** The position where the current incarnation's output starts. */
  startMark = 0;
  private readonly host: ProcessHost;

  constructor(host: ProcessHost, spec: ProcessSpec) {
    this.host = host;
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
    return join(this.host.logDir, `${this.name}.${incarnation}.log`);
  }

  /** The newest output lines (up to 2,000), across incarnations. */
  recentLines(): string[] {
    return this.tail.recent();
  }

  /** A position to wait from: `waitForLine(re, { after: mark() })` sees only lines after now. */
  mark(): number {
    return this.tail.mark();
  }

  /** The first line matching `re` after position `after` that is still in the tail, if any. */
  findLine(re: RegExp, after = 0): string | undefined {
    return this.tail.find(re, after);
  }

  /** Resolves with the first line matching `re` after position `after` (default: any line still in the tail). */
  waitForLine(re: RegExp, opts: { after?: number; timeoutMs?: number } = {}): Promise<string> {
    return this.tail.waitFor(
      re,
      opts,
      (ms) => `${this.name}: no line matching ${String(re)} within ${ms} ms`,
    );
  }

  /** Starts a new incarnation and waits until its ready probe answers (or throws with its last lines). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    this.incarnation++;
    this.startMark = this.tail.mark();
    const { spec } = this;
    const [command, args] = withParentDeathSignal(spec.command, spec.args);
    const log = createWriteStream(this.logFile(), { flags: 'a' });
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...this.host.baseEnv, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.expectingExit = false;
    this.host.track(this);
    const incarnation = this.incarnation;
    const closed = Promise.all(
      (['stdout', 'stderr'] as const).map((stream) =>
        pipeLines(child, stream, (line) => this.onLine(line, stream, log)),
      ),
    );
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
          this.host.exited(this, rec);
          resolve(rec);
        });
      });
    });
    await this.waitReady();
  }

  private onLine(line: string, stream: 'stdout' | 'stderr', log: WriteStream): void {
    log.write(`${line}\n`);
    this.tail.push(line);
    this.host.line(this.name, line, stream);
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
          `${this.name} exited before it was ready (code ${rec?.code}, signal ${rec?.signal}):\n${this.tail.last(20).join('\n')}`,
        );
      }
      if (await probe(this).catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} was not ready within ${timeoutMs} ms:\n${this.tail.last(20).join('\n')}`,
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
