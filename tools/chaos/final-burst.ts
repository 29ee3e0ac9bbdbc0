/**
 * The end of a chaos run: a burst of bids on every lot with the engine SIGKILLed in it, then no
 * further bid. The highest bid of each lot is sent first: once it is decided the rest of the burst
 * is refused (nothing more to publish), so a screen shows the top bid only if the engine published
 * it before it died — or publishes it again after its restart.
 *
 * The kill is placed by a watcher process on Redis's MONITOR feed: it lands the moment Redis has
 * executed a lot's top bid (its Idempotency-Key), when the engine has the decision in hand and has
 * not yet published the state it makes — the worst instant for a crash. A second feed shows which
 * updates the dying engine still got into the hubs' stream; a burst whose kill missed that window on
 * every lot (the engine published first) is repeated, up to `attempts` times.
 */
import type { ManagedProcess } from '../topology/index.ts';
import { killOnRedisCommand, redisMonitor, sleep } from '../topology/index.ts';
import { placeBid, type BidClientOptions, type BidRecord } from './bids.ts';

export interface FinalBurstOptions {
  lots: readonly string[];
  perLot: number;
  engine: ManagedProcess;
  redisPort: number;
  /** A new bid record (and its place in the run's list of bids). */
  newBid: (lot: string, amount: number) => BidRecord;
  /** The asking price of a lot now (minor units). */
  asking: (lot: string) => number;
  step: number;
  token: (bidder: string) => string;
  bidOptions: BidClientOptions;
  /** How long the engine stays down. */
  downMs: () => number;
  attempts: number;
  log: (m: string) => void;
}

export interface FinalBurstReport {
  attempts: number;
  bids: number;
  accepted: number;
  acceptedBeforeKill: number;
  /** What set the last kill off: Redis executing a top bid, a client hearing an acceptance, or a timeout. */
  killTrigger: string;
  /** Lots whose top bid the killed engine decided and did not publish: where a screen can only be right if it republishes. */
  windowHit: string[];
  killedAt: number;
  engineBack: number;
}

export async function finalBurst(
  o: FinalBurstOptions,
): Promise<{ report: FinalBurstReport; bids: BidRecord[] }> {
  const all: BidRecord[] = [];
  let last: Omit<FinalBurstReport, 'attempts' | 'bids' | 'accepted'> | undefined;
  let attempt = 0;
  while (attempt < o.attempts) {
    attempt++;
    const burst: BidRecord[] = [];
    for (let i = o.perLot - 1; i >= 0; i--)
      for (const lot of o.lots) burst.push(o.newBid(lot, o.asking(lot) + i * o.step));
    all.push(...burst);
    const top = new Map(burst.slice(0, o.lots.length).map((b) => [`"${b.key}"`, b]));
    const decidedByKilled = new Set<BidRecord>();
    const published = new Set<string>();
    // What the dying engine still does on Redis: its top bids decided, its updates published.
    const feed = await redisMonitor(o.redisPort, (line) => {
      for (const [key, b] of top) if (line.includes(key)) decidedByKilled.add(b);
      const id = /"urn:gavel:auction:([^"]+)"/.exec(line)?.[1];
      if (id !== undefined) published.add(id);
    });
    o.engine.expectExit();
    const killer = await killOnRedisCommand(o.redisPort, o.engine.pid!, [...top.keys()]);
    let answered!: () => void;
    const someAccepted = new Promise<void>((resolve) => (answered = resolve));
    const done = Promise.all(
      burst.map((b) =>
        placeBid(b, o.token(b.bidder), {
          ...o.bidOptions,
          onSettled: (rec) => rec.outcome === 'accepted' && answered(),
        }),
      ),
    );
    const trigger = await Promise.race([
      killer.fired.then((hit) => (hit === undefined ? 'watcher ended' : 'top bid decided')),
      someAccepted.then(() => 'a bid answered accepted'),
      sleep(3000).then(() => 'timeout'),
    ]);
    killer.cancel();
    const killedAt = Date.now();
    await o.engine.kill();
    const acceptedBeforeKill = burst.filter((b) => b.outcome === 'accepted').length;
    await sleep(o.downMs());
    // Everything the killed engine got into Redis is in the feed by now; the new one is not watched.
    feed.close();
    await o.engine.start();
    const engineBack = Date.now();
    await done;
    const windowHit = [...decidedByKilled]
      .filter((b) => b.outcome === 'accepted' && !published.has(`${b.lot}:${b.seq}`))
      .map((b) => b.lot);
    last = { acceptedBeforeKill, killTrigger: trigger, windowHit, killedAt, engineBack };
    o.log(
      `final burst ${attempt}: engine SIGKILLed (${trigger}); ${burst.filter((b) => b.outcome === 'accepted').length}/${burst.length} accepted; ` +
        (windowHit.length > 0
          ? `the engine died before publishing the top bid of ${windowHit.join(', ')}`
          : 'the engine had published every top bid it decided: again'),
    );
    if (windowHit.length > 0) break;
  }
  return {
    report: {
      attempts: attempt,
      bids: all.length,
      accepted: all.filter((b) => b.outcome === 'accepted').length,
      ...last!,
    },
    bids: all,
  };
}
