import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { StoreCode } from '../../domain/errors.ts';
import { redisUnavailable } from './connect.ts';
import { SEATS_LOADED_FIELD, SHOWTIME_KEY } from './keys.ts';

/**
 * Every script of the store and its number of KEYS (the `-<n>` of its file name, as in BullMQ). The
 * three that take 2 receive KEYS[2], the global expiring index, on a single Redis only.
 */
export const SCRIPTS = {
  holdSeats: 2,
  extendHold: 2,
  releaseHold: 1,
  beginConfirm: 2,
  completeConfirm: 1,
  freeHoldIn: 1,
  readSeats: 1,
  getHold: 1,
  ownerHolds: 1,
  restoreShowtime: 1,
  expireHolds: 1,
  collectDue: 1,
  settleExpiring: 1,
  transferHolds: 1,
} as const;
export type ScriptName = keyof typeof SCRIPTS;
export type ScriptArg = string | number;

const COMMANDS = new URL('./commands/', import.meta.url);
const INCLUDE = /^--- @include "([^"]+)"$/gm;

/**
 * Put in front of every script: the result codes and key suffixes come from the TypeScript modules
 * that own them (errors.ts, keys.ts), so the Lua never spells a code or a key name of its own.
 */
const PRELUDE = [
  'local rcall = redis.call',
  `local CODE = ${luaTable(StoreCode)}`,
  `local KEY = ${luaTable(SHOWTIME_KEY)}`,
  `local LOADED_FIELD = ${JSON.stringify(SEATS_LOADED_FIELD)}`,
].join('\n');

function luaTable(record: Record<string, string | number>): string {
  const fields = Object.entries(record).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  return `{ ${fields.join(', ')} }`;
}

/** A script's source with its includes inlined, each once, in the order first named. */
function source(file: string, seen = new Set<string>()): string {
  const lua = readFileSync(new URL(`${file}.lua`, COMMANDS), 'utf8');
  return lua.replace(INCLUDE, (_line, include: string) => {
    if (seen.has(include)) return '';
    seen.add(include);
    return source(include, seen);
  });
}

let loaded: Map<ScriptName, string> | undefined;

/** The scripts, read once per process. */
export function scriptSources(): Map<ScriptName, string> {
  loaded ??= new Map(
    (Object.keys(SCRIPTS) as ScriptName[]).map((name) => [name, `${PRELUDE}\n${source(`${name}-${SCRIPTS[name]}`)}`]),
  );
  return loaded;
}

/**
 * Registers every script on the client: ioredis then sends EVALSHA, falling back to EVAL once per
 * connection. The number of keys is given per call (see SCRIPTS), so ioredis still knows which
 * arguments are keys to prefix and, on a Cluster, to route by.
 */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, lua] of scriptSources()) client.defineCommand(name, { lua });
}

/**
 * Runs a script: one round trip. The reply is what the script returned, still to be checked; a
 * script that got no answer (Redis away) fails with STORE_UNAVAILABLE at once.
 */
export async function runScript(client: Redis | Cluster, name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
  // defineCommand adds the script as a method at run time, so the client's type does not know it.
  const fn: unknown = Reflect.get(client, name);
  if (typeof fn !== 'function') throw new Error(`Redis script ${name} is not defined on this client`);
  try {
    return await (Reflect.apply(fn, client, [keys.length, ...keys, ...args]) as Promise<unknown>);
  } catch (e) {
    throw redisUnavailable(e);
  }
}
