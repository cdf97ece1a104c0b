import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { connectRedis } from '../../stores/redis/connect.ts';
import type { LabLock, LabLocks } from '../lab-ports.ts';
import { LAB_KEY_PREFIX, labSeatKey } from './lab-keys.ts';

const COMMANDS = new URL('./commands/', import.meta.url);
/** The lab's scripts (commands/*.lua); each takes a variable number of keys, all in one slot. */
const SCRIPTS = { labLockSeats: 'lockSeats-n', labUnlockSeats: 'unlockSeats-n', labReadLocks: 'readLocks-n' } as const;
type Script = keyof typeof SCRIPTS;

/**
 * Concurrency Lab seat locks in Redis: SET NX EX for one seat (the classic distributed lock), a Lua
 * script for several (all or none in one atomic step). Keys: lab-keys.ts, under `<prefix>lab:`.
 */
export class RedisLabLocks implements LabLocks {
  readonly kind = 'redis';

  constructor(private readonly client: Redis) {
    for (const [name, file] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua: readFileSync(new URL(`${file}.lua`, COMMANDS), 'utf8') });
  }

  async tryLock(showtimeId: string, seats: readonly string[], owner: string, ttlMs: number): Promise<string[]> {
    const ttlSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    const keys = seats.map((s) => labSeatKey(showtimeId, s));
    if (keys.length === 1) {
      const ok = await this.client.set(keys[0]!, owner, 'EX', ttlSeconds, 'NX');
      return ok === 'OK' ? [] : [...seats];
    }
    const taken = (await this.run('labLockSeats', keys, [owner, ttlSeconds])) as number[];
    return taken.map((i) => seats[i - 1]!);
  }

  async unlock(showtimeId: string, seats: readonly string[], owner: string): Promise<void> {
    await this.run('labUnlockSeats', seats.map((s) => labSeatKey(showtimeId, s)), [owner]);
  }

  async read(showtimeId: string, seats: readonly string[]): Promise<LabLock[]> {
    const reply = (await this.run('labReadLocks', seats.map((s) => labSeatKey(showtimeId, s)), [])) as (string | number)[];
    const locks: LabLock[] = [];
    for (let i = 0; i < reply.length; i += 3) locks.push({ seat: seats[Number(reply[i]) - 1]!, owner: String(reply[i + 1]), ttlMs: Math.max(0, Number(reply[i + 2])) });
    return locks;
  }

  async clear(showtimeId: string, seats: readonly string[]): Promise<void> {
    if (seats.length) await this.client.del(...seats.map((s) => labSeatKey(showtimeId, s)));
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private run(name: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    // defineCommand adds the script as a method at run time, so the client's type does not know it.
    const fn: unknown = Reflect.get(this.client, name);
    if (typeof fn !== 'function') throw new Error(`Redis script ${name} is not defined on this client`);
    return Reflect.apply(fn, this.client, [keys.length, ...keys, ...args]) as Promise<unknown>;
  }
}

/** A client of its own, with `lab:` after REDIS_KEY_PREFIX; rejects when Redis does not answer. */
export async function openRedisLabLocks(options: { url: string; keyPrefix: string }): Promise<RedisLabLocks> {
  return new RedisLabLocks(await connectRedis(options.url, `${options.keyPrefix}${LAB_KEY_PREFIX}`));
}
