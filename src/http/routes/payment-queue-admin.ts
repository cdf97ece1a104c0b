import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import type { AdminService } from '../../admin/admin-service.ts';
import { BoxofficeError } from '../../domain/errors.ts';
import type { PaymentQueue } from '../../domain/payment-queue.ts';
import { userOf } from '../plugins/identity.ts';
import { bearer as security, failures, StringEnum } from '../schemas.ts';

const TAGS = ['admin'];
const denied = failures('UNAUTHORIZED', 'FORBIDDEN');

const DeadLetterSchema = Type.Object({
  id: Type.String({ description: 'the message (payment_outbox row) id' }),
  kind: StringEnum(['charge', 'refund']),
  orderId: Type.String(),
  subjectId: Type.String({ description: 'the payment id of a charge, the refund id of a refund' }),
  attempts: Type.Integer({ description: 'deliveries before it was dead-lettered' }),
  diedAt: Type.Integer({ description: 'epoch ms' }),
  error: Type.String({ description: "the last delivery's error" }),
});
const DepthSchema = Type.Object({
  kind: StringEnum(['embedded', 'rabbitmq']),
  waiting: Type.Integer({ description: 'ready, or waiting out a retry delay' }),
  inFlight: Type.Integer({ description: 'being processed by a worker' }),
  dead: Type.Integer({ description: 'dead letters, waiting for an admin' }),
});

/**
 * The payment queue for admins: its depth, the messages that used up their retries (dead letters),
 * and a retry that sends one back as a first delivery (audit-logged). `auth: 'admin'` on every route.
 */
export const paymentQueueAdminRoutes: FastifyPluginAsyncTypebox<{ queue: PaymentQueue; admin: AdminService; accounts: AccountService }> = async (app, opts) => {
  const { queue, admin, accounts } = opts;
  const config = { auth: 'admin' } as const;

  app.get(
    '/payments/queue',
    { config, schema: { tags: TAGS, security, summary: 'The payment queue: messages waiting, in flight and dead', response: { 200: DepthSchema, ...denied } } },
    async () => ({ kind: queue.kind, ...(await queue.depth()) }),
  );

  app.get(
    '/payments/dead-letters',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Payment messages that used up their retries, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1 to 500, default 100' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ deadLetters: Type.Array(DeadLetterSchema) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => {
      const raw = request.query.limit;
      const limit = Math.min(Math.max(raw === undefined ? 100 : Number(raw), 1), 500);
      const list = await queue.deadLetters(limit);
      return {
        deadLetters: list.map((d) => ({ id: d.message.id, kind: d.message.kind, orderId: d.message.orderId, subjectId: d.message.subjectId, attempts: d.message.attempt, diedAt: d.diedAt, error: d.error })),
      };
    },
  );

  app.post(
    '/payments/dead-letters/:id/retry',
    {
      config,
      schema: {
        tags: TAGS, security, summary: 'Send a dead letter back to the queue as a first delivery',
        description: 'The worker processes it again (idempotently: a charge that went through is not charged twice). 404 DEAD_LETTER_NOT_FOUND when it is not, or no longer, dead.',
        params: Type.Object({ id: Type.String({ maxLength: 40, description: 'the message id' }) }),
        response: { 200: Type.Object({ id: Type.String(), retried: Type.Literal(true) }), ...failures('UNAUTHORIZED', 'FORBIDDEN', 'DEAD_LETTER_NOT_FOUND') },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await queue.retryDeadLetter(id))) throw new BoxofficeError('DEAD_LETTER_NOT_FOUND', { messageId: id });
      const caller = userOf(request);
      await admin.record({ owner: caller.owner, email: (await accounts.user(caller.userId)).email }, 'payment.dead-letter.retry', id, { queue: queue.kind });
      return { id, retried: true as const };
    },
  );
};
