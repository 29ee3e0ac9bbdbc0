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
 *
 * A process and its incarnations: managed-process.ts; its output lines: line-tail.ts; the
 * child-process plumbing (setpriv, process groups, line splitting): child.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { ManagedProcess, type ExitRecord, type ProcessHost, type ProcessSpec } from './managed-process.ts';

export interface RunnerOptions {
  /** Where the log files go (created). */
  logDir: string;
  /** Every output line of every process, as it arrives (progress, tests). */
  onLine?: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** Environment every child starts from; default: PATH, HOME, LANG, TZ and TMPDIR of this process. */
  baseEnv?: Record<string, string>;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];

/**
 * Runs named processes; see the module comment. Emits `exit` (ExitRecord), `line` (name, line, stream)
 * and `restart-failed` (name, error) when a crashed process with `restartOnCrash` cannot start again.
 */
export class ProcessRunner extends EventEmitter implements ProcessHost {
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
