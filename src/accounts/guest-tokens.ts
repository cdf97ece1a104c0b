import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Guest tokens: the server names the guest and signs the name, so the product API never trusts an
 * identity the client chose. A token is `<guestId>.<signature>`; the owner it stands for is
 * `guest:<guestId>`, a namespace no FirstClick user id (`fc:...`) can reach.
 */
export class GuestTokens {
  constructor(private readonly secret: Buffer) {}

  issue(): { token: string; owner: string } {
    const guestId = randomBytes(12).toString('base64url');
    return { token: `${guestId}.${this.sign(guestId)}`, owner: `guest:${guestId}` };
  }

  /** The owner a token stands for, or null when it is not one of ours. */
  verify(token: string): string | null {
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const guestId = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.sign(guestId));
    return given.length === expected.length && timingSafeEqual(given, expected) ? `guest:${guestId}` : null;
  }

  private sign(guestId: string): string {
    return createHmac('sha256', this.secret).update(guestId).digest('base64url');
  }
}
