import type { Screen, Theater } from './booking.ts';

/** One line of the audit log: who did what to which thing, when. */
export interface AuditEntry {
  id: number;
  at: number;
  /** The admin's owner id (`user:<id>`) and email. */
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/** What admins read beyond the booking catalog, and the audit log. Catalog writes go through BookingRepository. */
export interface AdminRepository {
  listTheaters(): Promise<Theater[]>;
  listScreens(): Promise<Screen[]>;
  getScreen(id: string): Promise<Screen | null>;
  appendAudit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  listAudit(limit: number): Promise<AuditEntry[]>;
}
