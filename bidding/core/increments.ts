import type { IncrementBand } from './types.ts';

/** The step that applies at `price`: the band with the highest `from` not above it. */
export function incrementAt(bands: readonly IncrementBand[], price: number): number {
  let step = bands[0]?.step ?? 1;
  for (const b of bands) if (b.from <= price) step = b.step;
  return step;
}

/** Wire form shared with Lua: "from:step,from:step" ascending. */
export function encodeBands(bands: readonly IncrementBand[]): string {
  return [...bands]
    .sort((a, b) => a.from - b.from)
    .map((b) => `${b.from}:${b.step}`)
    .join(',');
}

export function decodeBands(s: string): IncrementBand[] {
  if (s === '') return [];
  return s.split(',').map((part) => {
    const [from = '0', step = '1'] = part.split(':');
    return { from: Number(from), step: Number(step) };
  });
}

/** Checks an increment table: non-empty, starts at 0, ascending, positive integer steps. */
export function bandsError(bands: readonly IncrementBand[]): string | undefined {
  if (bands.length === 0) return 'the increment table is empty';
  if (bands[0]!.from !== 0) return 'the first increment band must start at 0';
  for (let i = 0; i < bands.length; i++) {
    const b = bands[i]!;
    if (!Number.isSafeInteger(b.step) || b.step <= 0) return `band ${i}: step must be a positive integer`;
    if (!Number.isSafeInteger(b.from) || b.from < 0) return `band ${i}: from must be a non-negative integer`;
    if (i > 0 && b.from <= bands[i - 1]!.from) return `band ${i}: bands must be in ascending order of "from"`;
  }
  return undefined;
}
