/** The SIGKILLs of the bidding phase: which process, when, and the kill-wait-restart of one. */
import { sleep, type ProcessRunner } from '../topology/index.ts';
import type { KillRecord } from './report.ts';

export const KILL_ORDER = ['gateway', 'bidding', 'hub', 'orchestrator', 'redis'] as const;
export type KillTarget = (typeof KILL_ORDER)[number];

interface Named {
  readonly name: string;
}
/** The part of a GavelTopology the kills choose from. */
export interface KillableTopology {
  readonly gateways: readonly Named[];
  readonly hubs: readonly Named[];
  readonly bidding: Named;
  readonly orchestrator: Named;
}

/** The process the i-th kill takes: KILL_ORDER in turn, each kind's instances in turn. */
export class KillPlan {
  private readonly instance = new Map<KillTarget, number>();
  private readonly topo: KillableTopology;

  constructor(topo: KillableTopology) {
    this.topo = topo;
  }

  next(i: number): string {
    const target = KILL_ORDER[i % KILL_ORDER.length]!;
    const n = this.instance.get(target) ?? 0;
    this.instance.set(target, n + 1);
    return processOf(this.topo, target, n);
  }
}

function processOf(topo: KillableTopology, target: KillTarget, n: number): string {
  switch (target) {
    case 'gateway':
      return topo.gateways[n % topo.gateways.length]!.name;
    case 'hub':
      return topo.hubs[n % topo.hubs.length]!.name;
    case 'bidding':
      return topo.bidding.name;
    case 'orchestrator':
      return topo.orchestrator.name;
    case 'redis':
      return 'redis';
  }
}

/**
 * How long to wait before kill `i` of `kills`: evenly spread over [start, end); behind schedule
 * (slow restarts), a second of bidding between kills (none before the first).
 */
export function killDelay(i: number, kills: number, start: number, end: number, now: number): number {
  const at = start + ((i + 0.5) * (end - start)) / kills;
  return Math.max(1000 * Math.min(i, 1), at - now);
}

/** SIGKILLs a process, leaves it down for `downMs`, starts it again and waits until it is ready. */
export async function killAndRestart(
  procs: ProcessRunner,
  name: string,
  downMs: number,
  acceptedInLastSecond: number,
  phaseStart: number,
  log: (m: string) => void,
): Promise<KillRecord> {
  const at = Date.now();
  const p = procs.get(name);
  await p.kill();
  log(`SIGKILL ${name}; down for ${downMs} ms`);
  await sleep(downMs);
  const restarting = Date.now();
  await p.start();
  const restartMs = Date.now() - restarting;
  log(`${name} back after ${restartMs} ms`);
  return {
    target: name,
    atS: Math.round((at - phaseStart) / 100) / 10,
    downMs,
    restartMs,
    acceptedInLastSecond,
  };
}
