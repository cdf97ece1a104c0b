import type { AdminRepository, AuditEntry } from '../../domain/admin.ts';
import type { Screen, Theater } from '../../domain/booking.ts';
import { parseLayout, type LayoutInput } from '../../domain/layout.ts';
import type { Db } from './db.ts';

interface AuditRow {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

const toAudit = (r: AuditRow): AuditEntry => ({ id: Number(r.id), at: r.at_ms, actor: r.actor, action: r.action, target: r.target, details: r.details });
const toScreen = (r: { id: string; theater_id: string; name: string; layout: LayoutInput }): Screen => ({
  id: r.id,
  theaterId: r.theater_id,
  name: r.name,
  layout: parseLayout(r.layout),
});

export class PostgresAdminRepository implements AdminRepository {
  constructor(private readonly db: Db) {}

  async listTheaters(): Promise<Theater[]> {
    return this.db.query<Theater>('SELECT id, name FROM theaters ORDER BY name, id');
  }

  async listScreens(): Promise<Screen[]> {
    return (await this.db.query<{ id: string; theater_id: string; name: string; layout: LayoutInput }>('SELECT id, theater_id, name, layout FROM screens ORDER BY theater_id, name, id')).map(toScreen);
  }

  async getScreen(id: string): Promise<Screen | null> {
    const [r] = await this.db.query<{ id: string; theater_id: string; name: string; layout: LayoutInput }>('SELECT id, theater_id, name, layout FROM screens WHERE id = $1', [id]);
    return r ? toScreen(r) : null;
  }

  async appendAudit(e: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const [r] = await this.db.query<AuditRow>(
      `INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)
       RETURNING id, (extract(epoch from at) * 1000)::bigint AS at_ms, actor, action, target, details`,
      [e.actor, e.action, e.target, JSON.stringify(e.details)],
    );
    return toAudit(r!);
  }

  async listAudit(limit: number): Promise<AuditEntry[]> {
    const rows = await this.db.query<AuditRow>(
      'SELECT id, (extract(epoch from at) * 1000)::bigint AS at_ms, actor, action, target, details FROM audit_log ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map(toAudit);
  }
}
