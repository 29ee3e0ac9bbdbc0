/**
 * The image's health probe (Docker's HEALTHCHECK and compose's `healthcheck`), in Node because
 * slim images have no curl: `node dist/healthcheck.js [live|ready]` asks this container's service
 * — whichever role it runs, on its PORT — for `/health/<which>` (default `ready`), and exits 0 when it
 * answers 200, 1 otherwise, printing the answer (Docker keeps it in `docker inspect`).
 */
const which = process.argv[2] ?? 'ready';
const port = process.env.PORT ?? '3000';

async function probe(): Promise<number> {
  if (which !== 'live' && which !== 'ready') {
    console.error(`usage: node dist/healthcheck.js [live|ready] (got "${which}")`);
    return 1;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/${which}`, {
      signal: AbortSignal.timeout(4_000),
    });
    console.log(`${res.status} ${await res.text()}`);
    return res.status === 200 ? 0 : 1;
  } catch (err) {
    console.error(`no answer on port ${port}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await probe();
