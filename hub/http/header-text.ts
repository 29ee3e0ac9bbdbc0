/**
 * Update ids travel in the `Last-Event-ID` headers, but Node reads header values as Latin-1 and
 * throws on writing a character above U+00FF: an id like "prix-€5" made every response that
 * carried it fail with 503 (new subscribers while it was the latest id, and every resume from
 * it). EventSource sends Last-Event-ID as UTF-8 (HTML spec) and the reference hub writes the
 * id's UTF-8 bytes back: do the same both ways, so any id round-trips.
 */
export function utf8ToHeader(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** A header value Node read as Latin-1, as the UTF-8 text the client sent. */
export function utf8FromHeader(value: string): string {
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  // Not UTF-8 (a client that sent Latin-1 bytes): keep what Node read.
  return decoded.includes('\uFFFD') && !value.includes('\uFFFD') ? value : decoded;
}
