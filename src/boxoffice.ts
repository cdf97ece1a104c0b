import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AccountService, type AccountSettings } from './accounts/account-service.ts';
import { GuestTokens } from './accounts/guest-tokens.ts';
import { HoldTransferService } from './accounts/hold-transfer-service.ts';
import { Identity } from './accounts/identity.ts';
import { AdminService } from './admin/admin-service.ts';
import { TicketCodes } from './checkout/ticket-codes.ts';
import { TicketService } from './checkout/ticket-service.ts';
import { BookingService, type Logger } from './booking/booking-service.ts';
import { OrderService, type OrderChange } from './checkout/order-service.ts';
import { PaymentProcessor } from './checkout/payment-processor.ts';
import { CachedBookingRepository, type CatalogChange } from './catalog/catalog-cache.ts';
import { loadDemoCatalog } from './catalog/demo-catalog.ts';
import type { Config } from './config.ts';
import type { SeatChangeEvent } from './domain/booking.ts';
import { toSeatMapView } from './http/schemas.ts';
import { labPlugin, type LabPluginOptions } from './lab/lab-plugin.ts';
import { SimulatedGateway } from './payments/gateway/simulated-gateway.ts';
import type { PaymentQueue } from './domain/payment-queue.ts';
import { openPaymentQueue } from './payments/open-payment-queue.ts';
import { startPaymentWorker, type PaymentHandler } from './payments/payment-worker.ts';
import type { BoxofficePlugin } from './plugin.ts';
import { ReviewService } from './reviews/review-service.ts';
import { LocalBroadcast, type Broadcast, type EventBus } from './realtime/event-bus.ts';
import { SeatHub, type SeatHubOptions } from './realtime/seat-hub.ts';
import { openStores, type Stores } from './stores/index.ts';
import { PostgresAccountRepository } from './stores/postgres/account-repository.ts';
import { PostgresAdminRepository } from './stores/postgres/admin-repository.ts';
import { PostgresOrderRepository } from './stores/postgres/order-repository.ts';
import { PostgresReviewRepository } from './stores/postgres/review-repository.ts';
import { PostgresTicketRepository } from './stores/postgres/ticket-repository.ts';
import { RedisBroadcast } from './stores/redis/redis-broadcast.ts';
import { connectRedis, RedisOutages } from './stores/redis/connect.ts';
import { deploymentSecret } from './secret.ts';

export interface Boxoffice {
  service: BookingService;
  events: EventBus;
  stores: Stores;
  /** Catalog reads, cached; every admin change empties the cache of every instance. */
  catalog: CachedBookingRepository;
  accounts: AccountService;
  /** Resolves guest tokens and access tokens to callers (HTTP and WebSocket alike). */
  identity: Identity;
  /** Moves a guest's holds to the account they log in to. */
  holdTransfer: HoldTransferService;
  admin: AdminService;
  /** Checkout (issue 11): orders, and what carries their payments. */
  checkout: Checkout;
  /** Tickets of paid orders (signed codes) and check-in at the door. */
  tickets: TicketService;
  /** Reviews of movies and their ratings. */
  reviews: ReviewService;
  /** A Redis connection for shared counters (rate limits), when REDIS_URL is set. */
  redis?: { client: Redis; keyPrefix: string };
  /** Pushes seat changes to WebSocket clients (/ws, /ws/seats). */
  hub: SeatHub;
  /** Optional features (the Concurrency Lab when LAB_ENABLED); app.ts serves their routes. */
  plugins: BoxofficePlugin[];
  /** The payment queue (RabbitMQ with AMQP_URL, else the outbox table): the worker consumes it, the admin reads its dead letters and depth. */
  payments: { queue: PaymentQueue; /** The payment worker runs in this process. */ worker: boolean };
  close(): Promise<void>;
}

export interface Checkout {
  orders: OrderService;
  /** The payment queue's handler: charges, books, refunds. */
  processor: PaymentProcessor;
  /** Every change of an order, on every instance (the hub pushes them to their owners' followers). */
  orderChanges: Broadcast<OrderChange>;
}

/** Settings no environment variable carries; tests use them to make the hub and the lab quick to observe. */
export interface BoxofficeTuning {
  hub?: Pick<SeatHubOptions, 'maxBufferedBytes' | 'heartbeatMs' | 'messageBudget' | 'subscribeBudget'>;
  lab?: Omit<LabPluginOptions, 'log'>;
  /** Login throttles: tests that count throttled attempts make the first delay longer than a slow machine's scrypt checks. */
  accounts?: Partial<Pick<AccountSettings, 'pairThrottle' | 'emailThrottle'>>;
  /** What the payment worker runs on each message instead of the payment processor (a test that counts deliveries). */
  paymentHandler?: PaymentHandler;
}

/** The composition root: the only place that knows which adapters run. */
export async function startBoxoffice(config: Config, log?: Logger, tuning: BoxofficeTuning = {}): Promise<Boxoffice> {
  // Everything opened so far, closed in reverse when a later step fails (and by close()).
  const opened: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of opened.splice(0).reverse()) await close();
  };
  try {
    // One log line when Redis goes away and one when it is back, whichever connection notices.
    const redisOutages = new RedisOutages(log ?? { info() {}, error() {} });
    const stores = await openStores(config, { redisOutages });
    opened.push(() => stores.close());
    let redis: Boxoffice['redis'];
    let events: EventBus;
    let catalogChanges: Broadcast<CatalogChange>;
    if (config.redisUrl) {
      // With Redis configured, every instance sees every seat change and catalog change (SPEC.md §2).
      const client = await connectRedis(config.redisUrl, undefined, redisOutages);
      opened.push(() => client.quit().then(() => {}, () => client.disconnect()));
      redis = { client, keyPrefix: config.redisKeyPrefix };
      events = await RedisBroadcast.open<SeatChangeEvent>({ client, channel: `${config.redisKeyPrefix}seat-events`, onError: (err) => log?.error({ err }, 'seat event lost') });
      opened.push(() => events.close());
      catalogChanges = await RedisBroadcast.open<CatalogChange>({ client, channel: `${config.redisKeyPrefix}catalog-changes`, onError: (err) => log?.error({ err }, 'catalog change lost') });
    } else {
      events = new LocalBroadcast<SeatChangeEvent>();
      opened.push(() => events.close());
      catalogChanges = new LocalBroadcast<CatalogChange>();
    }
    opened.push(() => catalogChanges.close());
    const catalog = new CachedBookingRepository(stores.repository, catalogChanges);
    const paymentQueue = await openPaymentQueue(config.checkout, stores.db, log);
    opened.push(() => paymentQueue.close());
    const service = new BookingService({ holds: stores.holds, repository: catalog, events, limits: config.limits, ...(log && { log }) });
    catalogChanges.subscribe(() => service.forgetShowtimes());
    // One deployment secret signs guest tokens and (derived) access tokens; read once, here.
    const secret = await deploymentSecret(config);
    const accounts = new AccountService(
      new PostgresAccountRepository(stores.db),
      createHmac('sha256', secret).update('boxoffice access tokens').digest(),
      { ...tuning.accounts, accessTtlMs: config.accessTokenTtlMs },
    );
    const guests = new GuestTokens(secret);
    const identity = new Identity(guests, accounts);
    const adminRepository = new PostgresAdminRepository(stores.db);
    const admin = new AdminService({ admin: adminRepository, catalog, service });

    // Checkout: orders in PostgreSQL beside the bookings, cards through the gateway, changes to every instance.
    const orderChanges: Broadcast<OrderChange> = redis
      ? await RedisBroadcast.open<OrderChange>({ client: redis.client, channel: `${config.redisKeyPrefix}order-changes`, onError: (err) => log?.error({ err }, 'order change lost') })
      : new LocalBroadcast<OrderChange>();
    opened.push(() => orderChanges.close());
    const gateway = await SimulatedGateway.open(stores.db, { latencyMs: config.checkout.gatewayLatencyMs });
    opened.push(() => gateway.close());
    const orderRepository = new PostgresOrderRepository(stores.db);
    const holdTransfer = new HoldTransferService({ guests, service, repository: catalog, orders: orderRepository });
    const ticketKey = createHmac('sha256', secret).update('boxoffice ticket codes').digest();
    const tickets = new TicketService({ codes: new TicketCodes(ticketKey), tickets: new PostgresTicketRepository(stores.db), orders: orderRepository, catalog });
    const reviews = new ReviewService({ reviews: new PostgresReviewRepository(stores.db), catalog, audit: adminRepository });
    const processor: PaymentProcessor = new PaymentProcessor({
      orders: orderRepository,
      gateway,
      bookings: service,
      maxAttempts: config.checkout.maxAttempts,
      onOrderChange: (orderId) => void orders.announce(orderId),
      ...(log && { log }),
    });
    const orders: OrderService = new OrderService({
      orders: orderRepository,
      booking: service,
      gateway,
      changes: orderChanges,
      settings: config.checkout,
      audit: adminRepository,
      tickets,
      freeBooking: async (order) => void (await service.cancelBooking(order.bookingId!)),
      settleBeforeExpiry: async (order) => (await processor.checkBeforeExpiry(order.id)) !== null,
      outboxWritten: () => paymentQueue.nudge(),
      ...(log && { log }),
    });
    const checkout: Checkout = { orders, orderChanges, processor };
    if (config.demoCatalog && (await catalog.isEmpty())) {
      await loadDemoCatalog(catalog);
      log?.info({}, 'loaded the demo catalog');
    }
    if (config.admin) {
      const done = await accounts.ensureAdmin(config.admin.email, config.admin.password);
      if (done === 'refused') {
        // Starting anyway: the booking service is unharmed, and a refusal to start would let anyone
        // who registers the operator's email keep the service down. No admin is made.
        log?.error(
          { email: config.admin.email },
          `ADMIN_EMAIL ${config.admin.email} belongs to an account whose password is not ADMIN_PASSWORD: it was NOT made an admin. ` +
            'Someone may have registered that email first: choose another ADMIN_EMAIL, or delete that account from the database if it is not yours.',
        );
      } else if (done !== 'unchanged') log?.info({ email: config.admin.email }, `admin account ${done}`);
    }
    const hub = new SeatHub({
      events,
      verifyToken: (token) => identity.owner(token),
      readSeatMap: (showtimeId) => service.seatMap(showtimeId),
      view: toSeatMapView,
      movieOf: async (showtimeId) => (await service.showtime(showtimeId)).movieId,
      orders: { changes: orderChanges, view: (orderId, owner) => orders.viewFor(orderId, owner) },
      ...(log && { log }),
      ...tuning.hub,
    });
    opened.push(() => hub.close());
    const plugins: BoxofficePlugin[] = [];
    if (config.labEnabled) plugins.push(labPlugin(config, { ...tuning.lab, ...(log && { log }) }));
    opened.push(async () => {
      for (const plugin of plugins) await plugin.close();
    });
    opened.push(service.startSweeper());
    opened.push(orders.startSweeper());
    // Last, once everything the handler needs is up; closed first (it waits for the messages in flight).
    const worker = config.checkout.inProcessWorker;
    if (worker) opened.push(await startPaymentWorker(paymentQueue, tuning.paymentHandler ?? processor.handle, log));
    return { service, events, stores, catalog, accounts, identity, holdTransfer, admin, checkout, tickets, reviews, hub, plugins, payments: { queue: paymentQueue, worker }, ...(redis && { redis }), close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
