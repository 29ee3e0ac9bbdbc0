import { UserTokens, type Role } from '../../common/auth.ts';
import { importSigningKey, mintMercureToken } from '../../common/mercure.ts';
import type { GavelSecrets } from '../topology/index.ts';

/**
 * Every token the chaos run uses, minted in one place: the user tokens of bidders and the admin
 * (through the gateway's own UserTokens, so they follow its rules on expiry, issuer and audience),
 * and the hub subscriber tokens. When token rules change, this is the file to adapt.
 */
export class TokenMint {
  private readonly api: UserTokens;
  private readonly admin: UserTokens;
  private readonly subscriberKey: string;

  constructor(secrets: GavelSecrets) {
    this.api = new UserTokens({ key: secrets.userJwtKey, audience: 'api' });
    this.admin = new UserTokens({ key: secrets.adminJwtKey, audience: 'admin' });
    this.subscriberKey = secrets.subscriberKey;
  }

  /** A user token: a bidder's or auctioneer's for the gateways (hours), an admin's for the admin API (minutes). */
  user(id: string, role: Role): Promise<string> {
    return role === 'admin'
      ? this.admin.sign({ id, role, name: id }, 20 * 60)
      : this.api.sign({ id, role, name: id }, 2 * 3600);
  }

  /** A hub subscriber token for exactly these topics. */
  async subscriber(topics: string[]): Promise<string> {
    const key = await importSigningKey(this.subscriberKey, 'HS256');
    return mintMercureToken({ subscribe: topics }, { key, alg: 'HS256', ttlSeconds: 2 * 3600 });
  }
}
