import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { BoxofficeError } from '../../domain/errors.ts';

/**
 * The first NUL character in a parsed JSON value (keys included), as a path like `reason` or
 * `rows/0/label`. Walked with a stack of its own, not recursively: a 16 KB body nests 8,000 deep,
 * past the call stack (a RangeError, a 500).
 */
function nulIn(body: unknown): string | null {
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path ? `${path}/${i}` : String(i)]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, v] = entries[i]!;
        const at = path ? `${path}/${key}` : key;
        if (key.includes('\u0000')) return at;
        stack.push([v, at]);
      }
    }
  }
  return null;
}

/**
 * No text with a NUL character reaches a handler: PostgreSQL cannot store one, so a NUL that got
 * through answered a 500, after the hold store had already changed. Checked on the raw URL (path
 * and query, where it is `%00`) before anything else, and on the parsed body before validation.
 */
export const inputGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (/%00/i.test(request.url)) throw new BoxofficeError('INVALID_INPUT', 'the URL has a NUL character (%00) in it', { field: 'url' });
    });
    app.addHook('preValidation', async (request) => {
      const field = nulIn(request.body);
      if (field !== null) throw new BoxofficeError('INVALID_INPUT', `the body has a NUL character in ${field || 'it'}`, { field: field || 'body' });
    });
  },
  { name: 'boxoffice-input-guard', fastify: '5.x' },
);
