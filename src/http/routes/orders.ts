import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import type { OrderService } from '../../checkout/order-service.ts';
import { SEAT_KINDS } from '../../domain/layout.ts';
import { ORDER_STATES, PAYMENT_STATES, REFUND_STATES } from '../../domain/orders.ts';
import { callerOf, userOf } from '../plugins/identity.ts';
import { bearer as security, Body, failures, idParam, PriceLineSchema, StringEnum } from '../schemas.ts';

const ms = (description = 'epoch ms') => Type.Integer({ description });

export const OrderSchema = Type.Object({
  id: Type.String(),
  holdId: Type.String({ description: 'the hold it was checked out from (one order per hold)' }),
  showtimeId: Type.String(),
  movieId: Type.String(),
  startsAt: ms('epoch ms: when the showtime starts'),
  cancellableUntil: ms('epoch ms: the buyer may cancel (and be refunded) until then: the start less CANCEL_CUTOFF'),
  state: StringEnum(ORDER_STATES, { description: 'pending_payment → paid | failed | expired | cancelled; paid → refunded' }),
  email: Type.String(),
  currency: Type.String({ description: 'ISO 4217' }),
  total: Type.Integer({ description: 'minor units (cents)' }),
  lines: Type.Array(PriceLineSchema),
  createdAt: ms(),
  updatedAt: ms(),
  expiresAt: ms('epoch ms: the end of the payment window (the hold lasts as long)'),
  bookingId: Type.Union([Type.String(), Type.Null()], { description: 'the booking the payment made, once paid' }),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why it failed, expired, was refunded or cancelled' }),
  payments: Type.Array(
    Type.Object({
      id: Type.String(),
      state: StringEnum(PAYMENT_STATES, { description: 'pending (queued or being charged) → succeeded | declined | failed' }),
      amount: Type.Integer(),
      currency: Type.String(),
      card: Type.Object({ brand: Type.String(), last4: Type.String() }, { description: 'all Boxoffice keeps of a card' }),
      reason: Type.Union([Type.String(), Type.Null()], { description: 'why it was declined (card_declined, insufficient_funds, expired_card) or failed' }),
      createdAt: ms(),
      updatedAt: ms(),
    }),
  ),
  refunds: Type.Array(
    Type.Object({
      id: Type.String(),
      state: StringEnum(REFUND_STATES),
      amount: Type.Integer(),
      currency: Type.String(),
      reason: Type.String(),
      createdAt: ms(),
      updatedAt: ms(),
    }),
  ),
  tickets: Type.Array(
    Type.Object({
      id: Type.String({ description: '`<order id>.<seat>`' }),
      seat: Type.String(),
      kind: StringEnum(SEAT_KINDS),
      code: Type.String({ description: 'signed; what the QR code holds and the door checks in' }),
      qr: Type.String({ description: 'URL of the QR code as SVG (with the same bearer token as the order)' }),
      checkedInAt: Type.Union([ms(), Type.Null()]),
    }),
    { description: 'one per seat, only when the order is paid' },
  ),
});

const PaymentSchema = OrderSchema.properties.payments.items;

const CardBody = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 32, description: 'digits (spaces and dashes allowed); sent to the gateway, never stored or logged' }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
    cvc: Type.String({ minLength: 3, maxLength: 4 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const orderParam = idParam('orderId', 'order id');

/**
 * Checkout and orders: a hold becomes an order, an order is paid (through the payment queue),
 * cancelled or refunded; admins list, search and cancel. Registered under /api/v1.
 */
export const orderRoutes: FastifyPluginAsyncTypebox<{ orders: OrderService; accounts: AccountService }> = async (app, opts) => {
  const { orders, accounts } = opts;
  const { limits } = app;

  app.post(
    '/holds/:holdId/checkout',
    {
      config: { auth: 'caller' },
      preHandler: limits.confirms,
      schema: {
        tags: ['orders'],
        summary: 'Check a hold out: an order pending payment',
        description:
          'The hold is extended to the payment window (PAYMENT_WINDOW, within MAX_HOLD_LIFE from its creation); the order expires when the hold does. 201 with a new order; 200 with the same order for a second checkout of the hold.',
        security,
        params: idParam('holdId', 'hold id'),
        body: Body({ email: Type.String({ maxLength: 254, description: 'where the tickets go' }) }),
        response: {
          201: OrderSchema,
          200: OrderSchema,
          ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'HOLD_NOT_FOUND', 'SHOWTIME_FREE', 'SHOWTIME_STARTED', 'CHECKOUT_HOLD_EXPIRED', 'HOLD_CONFIRMED', 'RATE_LIMITED', 'STORE_UNAVAILABLE'),
        },
      },
    },
    async (request, reply) => {
      const { order, created } = await orders.checkout({ holdId: request.params.holdId, owner: callerOf(request).owner, email: request.body.email });
      return reply.status(created ? 201 : 200).send(await orders.view(order));
    },
  );

  app.get(
    '/orders',
    {
      config: { auth: 'caller' },
      schema: { tags: ['orders'], summary: 'My orders, newest first', security, response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...failures('UNAUTHORIZED') } },
    },
    async (request) => ({ orders: await orders.views(await orders.ordersOf(callerOf(request).owner)) }),
  );

  app.get(
    '/orders/:orderId',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['orders'],
        summary: 'One of my orders (poll it, or follow it on /ws)',
        security,
        params: orderParam,
        response: { 200: OrderSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'ORDER_NOT_FOUND') },
      },
    },
    async (request) => orders.view(await orders.order(request.params.orderId, callerOf(request).owner)),
  );

  app.post(
    '/orders/:orderId/payments',
    {
      config: { auth: 'caller' },
      preHandler: limits.confirms,
      schema: {
        tags: ['orders'],
        summary: 'Pay an order by card (processed asynchronously)',
        description:
          'The card is tokenized at the gateway (Boxoffice keeps its brand and last four digits) and the attempt is queued: 202 at once. The outcome arrives on /ws (follow-orders) and in the order. A declined card leaves the order pending payment while its window lasts: try another.',
        security,
        params: orderParam,
        body: Body({ card: CardBody }),
        response: {
          202: Type.Object({ payment: PaymentSchema, order: OrderSchema }),
          ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'ORDER_NOT_FOUND', 'ORDER_NOT_PAYABLE', 'PAYMENT_IN_PROGRESS', 'RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const { payment, order } = await orders.pay({ orderId: request.params.orderId, owner: callerOf(request).owner, card: request.body.card });
      const view = await orders.view((await orders.order(order.id, order.owner)));
      return reply.status(202).send({ payment: view.payments.find((p) => p.id === payment.id)!, order: view });
    },
  );

  app.post(
    '/orders/:orderId/cancel',
    {
      config: { auth: 'caller' },
      schema: {
        tags: ['orders'],
        summary: 'Cancel my order',
        description: 'Unpaid: cancelled, the seats freed. Paid: refunded through the payment queue and the seats freed, until CANCEL_CUTOFF before the showtime.',
        security,
        params: orderParam,
        response: { 200: OrderSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'ORDER_NOT_FOUND', 'ORDER_NOT_CANCELLABLE', 'PAYMENT_IN_PROGRESS', 'CANCEL_TOO_LATE') },
      },
    },
    async (request) => orders.view(await orders.cancel({ orderId: request.params.orderId, owner: callerOf(request).owner })),
  );

  app.get(
    '/admin/orders',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Orders, newest first, filtered and searched',
        description: '`q` matches an order id or hold id exactly, a seat (e.g. F7), or part of an email.',
        security,
        querystring: Type.Object({
          state: Type.Optional(StringEnum(ORDER_STATES)),
          showtime: Type.Optional(Type.String({ maxLength: 200 })),
          q: Type.Optional(Type.String({ maxLength: 254 })),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'at most this many orders, 1 to 500 (50)' })),
        }),
        response: { 200: Type.Object({ orders: Type.Array(Type.Intersect([OrderSchema, Type.Object({ owner: Type.String() })])) }), ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN') },
      },
    },
    async (request) => {
      const { state, showtime, q, limit } = request.query;
      const found = await orders.search({
        ...(state && { state }),
        ...(showtime && { showtimeId: showtime }),
        ...(q && { text: q }),
        limit: Math.min(Math.max(limit === undefined ? 50 : Number(limit), 1), 500),
      });
      const views = await orders.views(found);
      return { orders: views.map((v, i) => ({ ...v, owner: found[i]!.owner })) };
    },
  );

  app.post(
    '/admin/orders/:orderId/cancel',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Cancel any order, with a reason (audit log)',
        description: 'Unpaid: cancelled; paid: refunded through the payment queue, whenever the showtime is. The seats are freed at once.',
        security,
        params: orderParam,
        body: Body({ reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: OrderSchema, ...failures('INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'ORDER_NOT_FOUND', 'ORDER_NOT_CANCELLABLE') },
      },
    },
    async (request) => {
      const caller = userOf(request);
      const actor = { owner: caller.owner, email: (await accounts.user(caller.userId)).email };
      return orders.view(await orders.adminCancel({ orderId: request.params.orderId, actor, reason: request.body.reason }));
    },
  );
};
