import type { LabLock, LabLocks } from '../lab-ports.ts';

/**
 * Seat locks in this process's memory. Safe because Node runs JavaScript on one thread and tryLock
 * checks and writes with no await in between; useless across several app instances.
 */
export class MemoryLabLocks implements LabLocks {
  readonly kind = 'memory';
  private readonly locks = new Map<string, { owner: string; expiresAt: number }>();

  async tryLock(showtimeId: string, seats: readonly string[], owner: string, ttlMs: number): Promise<string[]> {
    const now = Date.now();
    const taken = seats.filter((s) => (this.locks.get(key(showtimeId, s))?.expiresAt ?? 0) > now);
    if (taken.length === 0) for (const s of seats) this.locks.set(key(showtimeId, s), { owner, expiresAt: now + ttlMs });
    return taken;
  }

  async unlock(showtimeId: string, seats: readonly string[], owner: string): Promise<void> {
    for (const s of seats) if (this.locks.get(key(showtimeId, s))?.owner === owner) this.locks.delete(key(showtimeId, s));
  }

  async read(showtimeId: string, seats: readonly string[]): Promise<LabLock[]> {
    const now = Date.now();
    const live: LabLock[] = [];
    for (const seat of seats) {
      const lock = this.locks.get(key(showtimeId, seat));
      if (!lock) continue;
      if (lock.expiresAt <= now) this.locks.delete(key(showtimeId, seat));
      else live.push({ seat, owner: lock.owner, ttlMs: lock.expiresAt - now });
    }
    return live;
  }

  async clear(showtimeId: string, seats: readonly string[]): Promise<void> {
    for (const s of seats) this.locks.delete(key(showtimeId, s));
  }

  async close(): Promise<void> {
    this.locks.clear();
  }
}

const key = (showtimeId: string, seat: string) => `${showtimeId}/${seat}`;
