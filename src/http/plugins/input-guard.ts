import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { BoxofficeError } from '../../domain/errors.ts';

/** The first NUL character in a parsed JSON value (keys included), as a path like `reason` or `rows/0/label`. */
function nulIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulIn(value[i], path ? `${path}/${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const at = path ? `${path}/${key}` : key;
      if (key.includes('\u0000')) return at;
      const found = nulIn(v, at);
      if (found !== null) return found;
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
      const field = nulIn(request.body, '');
      if (field !== null) throw new BoxofficeError('INVALID_INPUT', `the body has a NUL character in ${field || 'it'}`, { field: field || 'body' });
    });
  },
  { name: 'boxoffice-input-guard', fastify: '5.x' },
);
