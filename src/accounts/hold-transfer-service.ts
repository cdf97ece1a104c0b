import type { BookingService } from '../booking/booking-service.ts';
import { ownerOfUser } from '../domain/accounts.ts';
import type { BookingRepository } from '../domain/booking-repository.ts';
import { isCurrentShowtime } from '../domain/booking.ts';
import type { OrderRepository } from '../domain/order-repository.ts';
import { BoxofficeError } from '../domain/errors.ts';
import type { GuestTokens } from './guest-tokens.ts';

/**
 * A guest who registers or logs in keeps their holds: the guest's live holds in current showtimes
 * become the account's, per showtime all or none and within the per-owner limit (BookingService),
 * and so do the orders of those holds.
 */
export class HoldTransferService {
  constructor(
    private readonly deps: {
      guests: GuestTokens;
      service: BookingService;
      repository: BookingRepository;
      /** Orders of moved holds move with them. */
      orders?: Pick<OrderRepository, 'transferOrders'>;
      now?: () => number;
    },
  ) {}

  /** The guest a `guestToken` stands for; checked before the password, so a bad token changes nothing. */
  guestOf(guestToken: string | undefined): string | null {
    if (guestToken === undefined) return null;
    const owner = this.deps.guests.verify(guestToken);
    if (!owner) throw new BoxofficeError('UNAUTHORIZED', 'guestToken is not a guest token of this server');
    return owner;
  }

  /** Moves the guest's holds to the user; the ids of the holds that moved. */
  async toUser(guest: string | null, userId: string): Promise<string[]> {
    if (!guest) return [];
    const now = (this.deps.now ?? Date.now)();
    const showtimes = (await this.deps.repository.listShowtimes()).filter((s) => isCurrentShowtime(s, now)).map((s) => s.id);
    const user = ownerOfUser(userId);
    const { moved } = await this.deps.service.transferHolds(guest, user, showtimes);
    const ids = moved.map((h) => h.id);
    // A checked-out hold's order follows it, so its payment books the hold as its new owner. Between
    // the two steps a payment may find the order's owner and the hold's apart: its message is retried.
    await this.deps.orders?.transferOrders(guest, user, ids);
    return ids;
  }
}
