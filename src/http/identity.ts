import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { Role } from '../domain/accounts.ts';
import { BoxofficeError } from '../domain/errors.ts';

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

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new BoxofficeError('UNAUTHORIZED', 'the Authorization header must be `Bearer <token>`');
  return match[1]!;
}

/** The caller from `Authorization: Bearer <token>`, or null without a token; a bad token is a 401. */
export async function optionalCaller(identity: Identity, request: FastifyRequest): Promise<Caller | null> {
  const token = bearerToken(request);
  if (!token) return null;
  const caller = await identity.resolve(token);
  if (!caller) throw new BoxofficeError('UNAUTHORIZED', 'the bearer token is not valid (or expired); get a new one from POST /api/v1/guests or log in');
  return caller;
}

export async function requireCaller(identity: Identity, request: FastifyRequest): Promise<Caller> {
  const caller = await optionalCaller(identity, request);
  if (!caller) throw new BoxofficeError('UNAUTHORIZED', 'this needs a bearer token; get one from POST /api/v1/guests or log in');
  return caller;
}

export async function optionalOwner(identity: Identity, request: FastifyRequest): Promise<string | null> {
  return (await optionalCaller(identity, request))?.owner ?? null;
}

export async function requireOwner(identity: Identity, request: FastifyRequest): Promise<string> {
  return (await requireCaller(identity, request)).owner;
}

/** 401 without a (valid) token, 403 with a token that is not an admin's. */
export async function requireAdmin(identity: Identity, request: FastifyRequest): Promise<Caller & { userId: string }> {
  const caller = await requireCaller(identity, request);
  if (caller.role !== 'admin' || !caller.userId) throw new BoxofficeError('FORBIDDEN', 'this needs an admin account');
  return caller as Caller & { userId: string };
}
