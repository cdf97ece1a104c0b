import type { BookingRepository } from '../domain/booking-repository.ts';
import { gridLayout } from '../domain/layout.ts';
import { FREE_PRICES, type Prices } from '../domain/orders.ts';

const HOUR = 3_600_000;

/** Hall 1's prices, in cents. */
const HALL_PRICES: Prices = { currency: 'EUR', standard: 1250, premium: 1750, accessible: 950 };

/**
 * What a fresh embedded install shows: FirstClick's two movies (the compatibility surface addresses
 * their one showtime each by movie id) and a realistic hall with several showtimes.
 */
export async function loadDemoCatalog(repository: BookingRepository, now = Date.now()): Promise<void> {
  // Showtimes start at the next full hours from the first start, so the demo is never in the past.
  const at = (hoursFromNow: number) => Math.ceil(now / HOUR) * HOUR + hoursFromNow * HOUR;

  await repository.saveTheater({ id: 'central', name: 'Boxoffice Central' });
  await repository.saveScreen({ id: 'screen-inception', theaterId: 'central', name: 'Studio A', layout: gridLayout({ rows: 5, seatsPerRow: 8 }) });
  await repository.saveScreen({ id: 'screen-dune', theaterId: 'central', name: 'Studio B', layout: gridLayout({ rows: 4, seatsPerRow: 6 }) });
  await repository.saveScreen({
    id: 'hall-1',
    theaterId: 'central',
    name: 'Hall 1',
    layout: gridLayout({
      rows: 12,
      seatsPerRow: 20,
      aislesAfter: [4, 16],
      premiumRows: ['F', 'G', 'H'],
      accessible: ['L1', 'L2', 'L19', 'L20'],
      blocked: ['A1', 'A20'],
    }),
  });

  await repository.saveMovie({ id: 'inception', title: 'Inception', durationMinutes: 148 });
  await repository.saveMovie({ id: 'dune', title: 'Dune: Part Two', durationMinutes: 166 });
  await repository.saveMovie({ id: 'arrival', title: 'Arrival', durationMinutes: 116 });

  // FirstClick's showtimes stay free: its surface knows no prices and confirms a hold directly, so a
  // price there would be a seat given away past the checkout. The hall's showtimes are sold.
  await repository.saveShowtime({ id: 'inception-1', movieId: 'inception', screenId: 'screen-inception', startsAt: at(2), prices: FREE_PRICES });
  await repository.saveShowtime({ id: 'dune-1', movieId: 'dune', screenId: 'screen-dune', startsAt: at(3), prices: FREE_PRICES });
  await repository.saveShowtime({ id: 'arrival-1', movieId: 'arrival', screenId: 'hall-1', startsAt: at(1), prices: HALL_PRICES });
  await repository.saveShowtime({ id: 'arrival-2', movieId: 'arrival', screenId: 'hall-1', startsAt: at(4), prices: HALL_PRICES });
  await repository.saveShowtime({ id: 'arrival-3', movieId: 'arrival', screenId: 'hall-1', startsAt: at(25), prices: { ...HALL_PRICES, standard: 1450, premium: 1950 } });
}
