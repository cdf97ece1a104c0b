import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BookingError } from '../domain/errors.ts';

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

/** The caller's owner id from `Authorization: Bearer <token>`, or null without a token. */
export function optionalOwner(tokens: GuestTokens, request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const owner = match ? tokens.verify(match[1]!) : null;
  if (!owner) throw new BookingError('UNAUTHORIZED', 'the bearer token is not valid; get a new one from POST /api/v1/guests');
  return owner;
}

export function requireOwner(tokens: GuestTokens, request: FastifyRequest): string {
  const owner = optionalOwner(tokens, request);
  if (!owner) throw new BookingError('UNAUTHORIZED', 'this needs a bearer token; get one from POST /api/v1/guests');
  return owner;
}
