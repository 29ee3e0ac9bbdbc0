/**
 * `npm run ops:latency -- --url <public origin> --token <bidder token> [flags]`: the ops team's
 * latency check of a running deployment (docs/operations.md, "The ops latency check"). Progress and
 * a human summary on stderr, one JSON line on stdout. Exit 0 within the budget; 1 over it, on any
 * failed bid, or when it could not measure; 2 on bad flags.
 */
import { parseFlags, USAGE, UsageError } from './flags.ts';
import { runOpsLatency, type OpsLatencyReport } from './run.ts';

const log = (line: string): void => void process.stderr.write(`[ops:latency] ${line}\n`);

function summary(r: OpsLatencyReport): string {
  const refused = Object.entries(r.bids.refused)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return [
    `${r.verdict.toUpperCase()}: ${r.url}, lot ${r.lot}${r.throwawaySale === null ? '' : ` (throw-away sale ${r.throwawaySale.id}, ${r.throwawaySale.status})`}`,
    `  bids:        ${r.bids.sent} sent in ${r.seconds} s at ${r.offeredRate}/s offered, ${r.bids.accepted} accepted${refused === '' ? '' : `, refused: ${refused}`}`,
    `  bid answer:  p50 ${r.bidMs.p50} ms, p99 ${r.bidMs.p99} ms, max ${r.bidMs.max} ms`,
    `  bid→screen:  p50 ${r.bidToScreenMs.p50} ms, p99 ${r.bidToScreenMs.p99} ms, max ${r.bidToScreenMs.max} ms (${r.bidToScreenMs.samples} samples on ${r.subscribers} subscriber(s); budget ${r.budgetMs} ms)`,
    ...r.reasons.map((why) => `  - ${why}`),
  ].join('\n');
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`ops:latency: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const report = await runOpsLatency(opts, log);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.stderr.write(`${summary(report)}\n`);
  return report.verdict === 'ok' ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
