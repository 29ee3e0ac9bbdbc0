import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trackChild } from './support/registry.ts';
import type { ChaosReport } from '../tools/chaos/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The short `npm run chaos`: the distributed topology as processes, a timed sale, SIGKILLs of a
 * gateway, the engine, a hub, the orchestrator and redis-server while bids flow, then a final burst
 * with the engine killed in it and no further bid. Every figure the run reports is checked here too,
 * so a report that said less than it should would fail.
 */
describe('npm run chaos (short)', () => {
  it('loses and doubles no acknowledged bid, keeps seqs whole, crowns the top bid and converges every screen', async () => {
    const seed = Date.now() % 100_000;
    const args = [
      '--import',
      'tsx',
      'tools/chaos/main.ts',
      ...['--duration', '25', '--kills', '5', '--rate', '25', '--bidders', '16', '--lots', '2'],
      ...['--subscribers', '1', '--burst', '10', '--seed', String(seed)],
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Timed out or failed early: the run stops its processes and drops its database on SIGTERM
    // (the registry sends it after the test and waits for the exit, SIGKILL after 30 s).
    trackChild('chaos run', child, { graceMs: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = stdout.trim().split('\n');
    // One JSON line of figures on stdout; progress went to stderr.
    expect(lines, stderr).toHaveLength(1);
    const r = JSON.parse(lines[0]!) as ChaosReport;
    const context = `seed ${seed}; failures: ${JSON.stringify(r.failures)}; evidence: ${JSON.stringify(r.evidence).slice(0, 3000)}; logs: ${r.logDir}`;

    // Every kind of process was killed and came back.
    expect(new Set(r.kills.map((k) => k.target.replace(/-[ab]$/, ''))), context).toEqual(
      new Set(['gateway', 'bidding', 'hub', 'orchestrator', 'redis']),
    );
    expect(r.bids.accepted, context).toBeGreaterThan(100);
    expect(r.bids.unresolved, context).toBe(0);
    expect(r.crashes, context).toEqual({});
    // The ledger holds every acknowledged bid exactly once, and nothing else accepted.
    expect(r.ledger, context).toMatchObject({
      lost: 0,
      doubled: 0,
      phantom: 0,
      contradicted: 0,
      seqProblems: 0,
    });
    expect(r.ledger.accepted, context).toBe(r.bids.accepted);
    expect(r.winners, context).toEqual({ checked: 2, wrong: 0 });
    // The final kill landed in the burst; every screen shows the snapshot, before and after the close.
    expect(r.finalBurst.killTrigger, context).not.toBe('timeout');
    expect(r.screens, context).toMatchObject({ converged: true, convergedAfterClose: true, regressions: 0 });
    expect([code, r.ok, r.failures], context).toEqual([0, true, []]);
  }, 240_000);
});
