import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AccountService, Session } from '../../accounts/account-service.ts';
import type { HoldTransferService } from '../../accounts/hold-transfer-service.ts';
import type { User } from '../../domain/accounts.ts';
import { userOf } from '../plugins/identity.ts';
import { bearer, Body, failures, NoContent, StringEnum } from '../schemas.ts';

export const REFRESH_COOKIE = 'boxoffice_refresh';
const COOKIE_PATH = '/api/v1/auth';
const TAGS = ['accounts'];

const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: StringEnum(['user', 'admin']),
  createdAt: Type.Integer(),
});
const SessionSchema = Type.Object({
  user: UserSchema,
  transferredHolds: Type.Optional(Type.Array(Type.String(), { description: "ids of the guest holds that became this account's" })),
  accessToken: Type.String({ description: 'send as `Authorization: Bearer <accessToken>`' }),
  expiresAt: Type.Integer({ description: 'epoch ms when the access token runs out; POST /auth/refresh gives a new one' }),
});
const Credentials = Body({
  email: Type.String({ maxLength: 320 }),
  password: Type.String({ maxLength: 200 }),
  guestToken: Type.Optional(Type.String({ maxLength: 200, description: "the guest token used so far: that guest's live holds become the account's" })),
});

const toUserView = (u: User) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt });

/** Register, log in, refresh, log out, who-am-I. The refresh token lives in an httpOnly cookie only. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService; holdTransfer: HoldTransferService; secureCookies: boolean }> = async (app, opts) => {
  const { accounts, holdTransfer } = opts;
  const { limits } = app;

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

  app.post(
    '/auth/register',
    {
      preHandler: limits.logins,
      schema: {
        tags: TAGS,
        summary: 'Create an account (role user) and log in',
        body: Credentials,
        response: { 201: SessionSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'EMAIL_TAKEN', 'RATE_LIMITED') },
      },
    },
    async (request, reply) => {
      const guest = holdTransfer.guestOf(request.body.guestToken);
      const session = await accounts.register(request.body);
      return answer(reply, session, 201, await holdTransfer.toUser(guest, session.user.id));
    },
  );

  app.post(
    '/auth/login',
    {
      preHandler: limits.logins,
      schema: {
        tags: TAGS,
        summary: 'Log in',
        description: `After ${accounts.settings.pairThrottle.free} attempts for one email from one address without a success, each further attempt waits a delay that doubles (429 LOGIN_THROTTLED with Retry-After; the password is not checked). Unknown emails are answered exactly like known ones.`,
        body: Credentials,
        response: { 200: SessionSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'INVALID_CREDENTIALS', 'LOGIN_THROTTLED', 'RATE_LIMITED') },
      },
    },
    async (request, reply) => {
      const guest = holdTransfer.guestOf(request.body.guestToken);
      const session = await accounts.login(request.body, { address: request.ip });
      return answer(reply, session, 200, await holdTransfer.toUser(guest, session.user.id));
    },
  );

  app.post(
    '/auth/refresh',
    { schema: { tags: TAGS, summary: 'A new access token from the refresh cookie (the cookie is rotated)', response: { 200: SessionSchema, ...failures('UNAUTHORIZED') } } },
    async (request, reply) => answer(reply, await accounts.refresh(request.cookies[REFRESH_COOKIE])),
  );

  app.post('/auth/logout', { schema: { tags: TAGS, summary: 'End the session of the refresh cookie', response: { 204: NoContent } } }, async (request, reply) => {
    await accounts.logout(request.cookies[REFRESH_COOKIE]);
    return reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH }).status(204).send(null);
  });

  app.get(
    '/auth/me',
    {
      config: { auth: 'user' },
      schema: { tags: TAGS, summary: 'Who am I', security: bearer, response: { 200: Type.Object({ user: UserSchema }), ...failures('UNAUTHORIZED') } },
    },
    async (request) => ({ user: toUserView(await accounts.user(userOf(request).userId)) }),
  );
};
