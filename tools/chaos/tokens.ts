import { UserTokens, type Role } from '../../common/auth.ts';
import { importSigningKey, mintMercureToken } from '../../common/mercure.ts';
import type { GavelSecrets } from '../topology/index.ts';

/**
 * Every token the chaos run uses, minted in one place: the user tokens of bidders and the admin
 * (through the gateway's own UserTokens, so they follow its rules on expiry, issuer and audience),
 * and the hub subscriber tokens. When token rules change, this is the file to adapt.
 */
export class TokenMint {
  private readonly users: UserTokens;
  private readonly subscriberKey: string;

  constructor(secrets: GavelSecrets) {
    this.users = new UserTokens(secrets.userJwtKey);
    this.subscriberKey = secrets.subscriberKey;
  }

  /** A user token, valid for the run (an admin's under an hour). */
  user(id: string, role: Role): Promise<string> {
    return this.users.sign({ id, role, name: id }, role === 'admin' ? 45 * 60 : 2 * 3600);
  }

  /** A hub subscriber token for exactly these topics. */
  async subscriber(topics: string[]): Promise<string> {
    const key = await importSigningKey(this.subscriberKey, 'HS256');
    return mintMercureToken({ subscribe: topics }, { key, alg: 'HS256', ttlSeconds: 2 * 3600 });
  }
}
