/**
 * The lab's own showtimes: a small hall that is never part of the catalog and never sold. Every
 * lab showtime id starts with `lab-` (the lab tables check it too); the lab refuses any other id.
 */
export interface LabShowtime {
  id: string;
  title: string;
  rows: { label: string; seats: string[] }[];
}

const ROWS = ['A', 'B', 'C', 'D'];
const SEATS_PER_ROW = 6;

export const LAB_SHOWTIMES: readonly LabShowtime[] = [
  {
    id: 'lab-1',
    title: 'Lab hall: Opening night',
    rows: ROWS.map((label) => ({ label, seats: Array.from({ length: SEATS_PER_ROW }, (_, i) => `${label}${i + 1}`) })),
  },
];

export const labSeatsOf = (showtime: LabShowtime): string[] => showtime.rows.flatMap((r) => r.seats);
