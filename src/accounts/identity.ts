import type { Role } from '../domain/accounts.ts';
import type { AccountService } from './account-service.ts';
import type { GuestTokens } from './guest-tokens.ts';

/** Who is calling: a guest, or a registered user with a role. */
export interface Caller {
  owner: string;
  role: 'guest' | Role;
  userId?: string;
}

/**
 * The one resolver of bearer tokens: a guest token (`<guestId>.<signature>`, one dot) or a user's
 * access JWT (two dots). Both stand for an owner id: `guest:<id>` or `user:<id>`.
 */
export class Identity {
  constructor(
    readonly guests: GuestTokens,
    private readonly accounts: AccountService,
  ) {}

  async resolve(token: string): Promise<Caller | null> {
    if (token.split('.').length === 3) {
      const p = await this.accounts.verifyAccessToken(token);
      return p ? { owner: p.owner, role: p.role, userId: p.userId } : null;
    }
    const owner = this.guests.verify(token);
    return owner ? { owner, role: 'guest' } : null;
  }

  /** The owner a token stands for, or null (the WebSocket hub's verifier). */
  async owner(token: string): Promise<string | null> {
    return (await this.resolve(token))?.owner ?? null;
  }
}
