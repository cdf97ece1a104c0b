/** A store that did not answer at start: server.ts names its setting and exits without a stack trace. */
export class StoreUnreachable extends Error {
  override readonly name = 'StoreUnreachable';
  constructor(
    readonly store: 'redis' | 'postgres',
    /** As configured; show it through withoutPassword(). */
    readonly url: string,
    cause: unknown,
  ) {
    super(reasonOf(cause), { cause });
  }
}

/** A connection URL fit for a log or a message: the password replaced by `***`. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}

/** Node reports a refused `localhost` (tried on ::1 and 127.0.0.1) as an AggregateError with no message. */
function reasonOf(cause: unknown): string {
  if (cause instanceof AggregateError && !cause.message) return cause.errors.map(reasonOf).join('; ');
  if (cause instanceof Error) return cause.message || String((cause as NodeJS.ErrnoException).code ?? cause.name);
  return String(cause);
}
