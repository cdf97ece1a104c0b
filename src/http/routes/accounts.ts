import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AccountService, Session } from '../../accounts/account-service.ts';
import type { BookingService } from '../../booking/booking-service.ts';
import { ownerOfUser, type User } from '../../domain/accounts.ts';
import type { BookingRepository } from '../../domain/booking-repository.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import { requireCaller, type Identity } from '../identity.ts';
import type { RouteLimits } from '../rate-limits.ts';
import { errors } from '../schemas.ts';

export const REFRESH_COOKIE = 'boxoffice_refresh';
const COOKIE_PATH = '/api/v1/auth';
const TAGS = ['accounts'];

const userSchema = {
  type: 'object',
  required: ['id', 'email', 'role', 'createdAt'],
  properties: { id: { type: 'string' }, email: { type: 'string' }, role: { type: 'string', enum: ['user', 'admin'] }, createdAt: { type: 'integer' } },
} as const;
const sessionSchema = {
  type: 'object',
  required: ['user', 'accessToken', 'expiresAt'],
  properties: {
    user: userSchema,
    transferredHolds: { type: 'array', items: { type: 'string' }, description: 'ids of the guest holds that became this account\'s' },
    accessToken: { type: 'string', description: 'send as `Authorization: Bearer <accessToken>`' },
    expiresAt: { type: 'integer', description: 'epoch ms when the access token runs out; POST /auth/refresh gives a new one' },
  },
} as const;
const credentials = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 200 },
    guestToken: { type: 'string', maxLength: 200, description: "the guest token used so far: that guest's live holds become the account's" },
  },
} as const;
type Credentials = { email: string; password: string; guestToken?: string };
/** Showtimes whose holds follow a guest who logs in: those that started at most this long ago, or later. */
const TRANSFER_WINDOW_MS = 24 * 3600_000;

const toUserView = (u: User) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt });

/** Register, log in, refresh, log out, who-am-I. The refresh token lives in an httpOnly cookie only. */
export async function accountRoutes(
  app: FastifyInstance,
  opts: { accounts: AccountService; service: BookingService; repository: BookingRepository; identity: Identity; limits: RouteLimits; secureCookies: boolean },
): Promise<void> {
  const { accounts, identity, limits } = opts;

  /** The guest behind `guestToken`, checked before the password so a bad token changes nothing. */
  const guestOf = (token: string | undefined): string | null => {
    if (token === undefined) return null;
    const owner = identity.guests.verify(token);
    if (!owner) throw new BoxofficeError('UNAUTHORIZED', 'guestToken is not a guest token of this server');
    return owner;
  };
  const claim = async (guest: string | null, session: Session): Promise<string[]> => {
    if (!guest) return [];
    const since = Date.now() - TRANSFER_WINDOW_MS;
    const showtimes = (await opts.repository.listShowtimes()).filter((s) => s.startsAt >= since).map((s) => s.id);
    const { moved } = await opts.service.transferHolds(guest, ownerOfUser(session.user.id), showtimes);
    return moved.map((h) => h.id);
  };

  const answer = (reply: FastifyReply, session: Session, status = 200, transferredHolds: string[] = []) =>
    reply
      .setCookie(REFRESH_COOKIE, session.refreshToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies,
        path: COOKIE_PATH,
        expires: new Date(session.refreshExpiresAt),
      })
      .status(status)
      .send({ user: toUserView(session.user), transferredHolds, accessToken: session.accessToken, expiresAt: session.accessExpiresAt });

  app.post<{ Body: Credentials }>(
    '/auth/register',
    { schema: { tags: TAGS, summary: 'Create an account (role user) and log in', body: credentials, response: { 201: sessionSchema, ...errors(400, 401, 409, 429) } } },
    async (request, reply) => {
      await limits.logins(request);
      const guest = guestOf(request.body.guestToken);
      const session = await accounts.register(request.body);
      return answer(reply, session, 201, await claim(guest, session));
    },
  );

  app.post<{ Body: Credentials }>(
    '/auth/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Log in',
        description: `After ${accounts.settings.maxLoginFailures} wrong passwords in a row the account is locked for ${accounts.settings.lockMs / 60_000} minutes (429 ACCOUNT_LOCKED with Retry-After).`,
        body: credentials,
        response: { 200: sessionSchema, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await limits.logins(request, typeof request.body.email === 'string' ? request.body.email.trim().toLowerCase() : undefined);
      const guest = guestOf(request.body.guestToken);
      const session = await accounts.login(request.body);
      return answer(reply, session, 200, await claim(guest, session));
    },
  );

  app.post('/auth/refresh', { schema: { tags: TAGS, summary: 'A new access token from the refresh cookie (the cookie is rotated)', response: { 200: sessionSchema, ...errors(401) } } }, async (request, reply) =>
    answer(reply, await accounts.refresh(request.cookies[REFRESH_COOKIE])),
  );

  app.post('/auth/logout', { schema: { tags: TAGS, summary: 'End the session of the refresh cookie', response: { 204: { type: 'null' } } } }, async (request, reply) => {
    await accounts.logout(request.cookies[REFRESH_COOKIE]);
    return reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH }).status(204).send();
  });

  app.get('/auth/me', { schema: { tags: TAGS, summary: 'Who am I', security: [{ bearer: [] }], response: { 200: { type: 'object', properties: { user: userSchema } }, ...errors(401) } } }, async (request) => {
    const caller = await requireCaller(identity, request);
    if (!caller.userId) throw new BoxofficeError('UNAUTHORIZED', 'a guest token has no account; log in');
    return { user: toUserView(await accounts.user(caller.userId)) };
  });
}
