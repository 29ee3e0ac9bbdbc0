/**
 * Passkeys (WebAuthn, @simplewebauthn/server): the ceremonies' options, their server-side challenges
 * (single use, 5 minutes), the verification of the authenticator's answers, and the passkeys' rows.
 * A passkey row holds a public key and a signature counter: a copy of it signs no one in.
 */
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type {
  Account,
  PasskeyChallenge,
  PasskeyInfo,
  RelyingParty,
  WebAuthnJson,
} from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { Database, Queryable } from '../ledger/db.ts';

/** A ceremony's challenge lives 5 minutes (the browser's own timeout is 2 minutes less). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
const CEREMONY_TIMEOUT_MS = 3 * 60_000;

export const passkeyInvalid = (why: string): AppError =>
  new AppError('PASSKEY_INVALID', `the passkey could not be verified: ${why}`);

/** A passkey's name as its owner gives it: trimmed, 1–60 characters, no control characters. */
export function normalisePasskeyName(input: unknown): string {
  const name = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (name.length === 0 || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name))
    throw new AppError('VALIDATION_FAILED', 'name must be 1–60 characters', { details: { field: 'name' } });
  return name;
}

// The browser's answers, checked for shape before the library reads them (it trusts its types).
const b64url = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]*={0,2}$/);
const baseResponse = {
  id: b64url.min(1).max(1024),
  rawId: b64url.min(1).max(1024),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};
const registrationSchema = z.object({
  ...baseResponse,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
    authenticatorData: b64url.optional(),
    publicKey: b64url.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
});
const authenticationSchema = z.object({
  ...baseResponse,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});

function parseResponse<T>(schema: z.ZodType<T>, response: WebAuthnJson): T {
  const r = schema.safeParse(response);
  if (!r.success) throw passkeyInvalid('the answer is not a WebAuthn credential');
  return r.data;
}

interface PasskeyRow {
  id: string;
  account_id: string;
  name: string;
  public_key: string;
  sign_count: number | string;
  transports: string[];
  backed_up: boolean;
  created_at: Date;
  last_used_at: Date | null;
  [k: string]: unknown;
}

const toInfo = (r: PasskeyRow): PasskeyInfo => ({
  id: r.id,
  name: r.name,
  createdAt: new Date(r.created_at).toISOString(),
  lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at).toISOString(),
  backedUp: r.backed_up,
});

export class Passkeys {
  private readonly db: Database;
  private readonly now: () => Date;
  constructor(db: Database, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  private async saveChallenge(
    challenge: string,
    purpose: 'register' | 'authenticate',
    accountId: string | null,
  ): Promise<string> {
    const id = `wac_${randomBytes(16).toString('base64url')}`;
    await this.db.query(
      `INSERT INTO webauthn_challenges (id, challenge, purpose, account_id, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [id, challenge, purpose, accountId, new Date(this.now().getTime() + CHALLENGE_TTL_MS)],
    );
    // Old challenges go as new ones come: the table holds minutes' worth.
    await this.db.query(`DELETE FROM webauthn_challenges WHERE expires_at < $1`, [
      new Date(this.now().getTime() - CHALLENGE_TTL_MS),
    ]);
    return id;
  }

  /** The challenge, used up: once, before it expires, for this purpose (and account). */
  private async takeChallenge(
    id: string,
    purpose: 'register' | 'authenticate',
    accountId: string | null,
  ): Promise<string> {
    const [r] = await this.db.query<{ challenge: string; account_id: string | null }>(
      `UPDATE webauthn_challenges SET used_at = $3
        WHERE id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING challenge, account_id`,
      [id, purpose, this.now()],
    );
    if (r === undefined || r.account_id !== accountId)
      throw passkeyInvalid('the request expired or was used already; try again');
    return r.challenge;
  }

  private async rows(accountId: string, q: Queryable = this.db): Promise<PasskeyRow[]> {
    return q.query<PasskeyRow>(`SELECT * FROM passkeys WHERE account_id = $1 ORDER BY created_at, id`, [
      accountId,
    ]);
  }

  async list(accountId: string): Promise<PasskeyInfo[]> {
    return (await this.rows(accountId)).map(toInfo);
  }

  async count(accountId: string): Promise<number> {
    return (await this.rows(accountId)).length;
  }

  async registrationOptions(account: Account, rp: RelyingParty): Promise<PasskeyChallenge> {
    const existing = await this.rows(account.id);
    const options = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpId,
      userName: account.email,
      userDisplayName: account.name,
      userID: new TextEncoder().encode(account.id),
      attestationType: 'none',
      timeout: CEREMONY_TIMEOUT_MS,
      // The same authenticator twice would be one key under two names.
      excludeCredentials: existing.map((p) => ({
        id: p.id,
        transports: p.transports as AuthenticatorTransport[],
      })),
      // Discoverable: the sign-in page asks for "any passkey of this site", no address typed first.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const challengeId = await this.saveChallenge(options.challenge, 'register', account.id);
    return { challengeId, options: options as unknown as WebAuthnJson };
  }

  async add(
    account: Account,
    challengeId: string,
    response: WebAuthnJson,
    name: string,
    rp: RelyingParty,
  ): Promise<PasskeyInfo> {
    const label = normalisePasskeyName(name);
    const answer = parseResponse(registrationSchema, response) as RegistrationResponseJSON;
    const challenge = await this.takeChallenge(challengeId, 'register', account.id);
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response: answer,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
      });
    } catch (err) {
      throw passkeyInvalid(err instanceof Error ? err.message : 'refused');
    }
    if (!verified.verified) throw passkeyInvalid('refused');
    const { credential, credentialBackedUp } = verified.registrationInfo;
    const [row] = await this.db.query<PasskeyRow>(
      `INSERT INTO passkeys (id, account_id, name, public_key, sign_count, transports, backed_up)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [
        credential.id,
        account.id,
        label,
        Buffer.from(credential.publicKey).toString('base64url'),
        credential.counter,
        credential.transports ?? [],
        credentialBackedUp,
      ],
    );
    if (row === undefined) throw new AppError('ALREADY_EXISTS', 'this passkey is registered already');
    return toInfo(row);
  }

  async remove(accountId: string, passkeyId: string): Promise<void> {
    const rows = await this.db.query(`DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING id`, [
      passkeyId,
      accountId,
    ]);
    if (rows.length === 0) throw new AppError('UNKNOWN_PASSKEY', 'this account has no such passkey');
  }

  async signInOptions(rp: RelyingParty): Promise<PasskeyChallenge> {
    // No allowCredentials: the authenticator offers the passkeys it holds for this site.
    const options = await generateAuthenticationOptions({
      rpID: rp.rpId,
      userVerification: 'required',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    const challengeId = await this.saveChallenge(options.challenge, 'authenticate', null);
    return { challengeId, options: options as unknown as WebAuthnJson };
  }

  /** Verifies an assertion; answers whose passkey it was, its counter moved on. */
  async verify(challengeId: string, response: WebAuthnJson, rp: RelyingParty): Promise<string> {
    const answer = parseResponse(authenticationSchema, response) as AuthenticationResponseJSON;
    const challenge = await this.takeChallenge(challengeId, 'authenticate', null);
    const [row] = await this.db.query<PasskeyRow>(`SELECT * FROM passkeys WHERE id = $1`, [answer.id]);
    if (row === undefined) throw passkeyInvalid('this passkey is not registered here (removed?)');
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response: answer,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
        credential: {
          id: row.id,
          publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
          counter: Number(row.sign_count),
          transports: row.transports,
        },
      });
    } catch (err) {
      // Among the refusals: a counter that went backwards (a cloned authenticator).
      throw passkeyInvalid(err instanceof Error ? err.message : 'refused');
    }
    if (!verified.verified) throw passkeyInvalid('refused');
    await this.db.query(`UPDATE passkeys SET sign_count = $2, last_used_at = $3 WHERE id = $1`, [
      row.id,
      verified.authenticationInfo.newCounter,
      this.now(),
    ]);
    return row.account_id;
  }
}
