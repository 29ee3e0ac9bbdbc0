/** Money on the wire is a decimal string ("10500.00"); these only format and compare it. */

/** "10500.00" → "10,500.00" (grouping only: the currency's decimals are already in the string). */
export function formatMoney(amount: string): string {
  const [int = '0', frac] = amount.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

export function withCurrency(amount: string, currency: string): string {
  return `${currency} ${formatMoney(amount)}`;
}

/** a − b for two amounts of the same currency, as a decimal string with b's decimals. */
export function subtract(a: string, b: string): string {
  const decimals = (a.split('.')[1] ?? '').length;
  const scale = 10 ** decimals;
  const diff = Math.round(Number(a) * scale) - Math.round(Number(b) * scale);
  return (diff / scale).toFixed(decimals);
}

/** Whether an amount is at least `threshold` (whole currency units): large bids are confirmed. */
export function atLeast(amount: string, threshold: number): boolean {
  return Number(amount) >= threshold;
}

/** The sum of amounts of one currency (decimal strings of one scale), exactly: integer minor units, never floats. */
export function sum(amounts: readonly string[], decimals: number): string {
  let total = 0n;
  for (const a of amounts) {
    const [int = '0', frac = ''] = a.split('.');
    total += BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
  }
  if (decimals === 0) return total.toString();
  const s = total.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}
