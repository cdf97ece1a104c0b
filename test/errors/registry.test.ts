// The error registry is the one source of codes, statuses and docs: these fail when docs/errors.md,
// the HTTP error handler or any thrower in src/ drifts from it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BoxofficeError, defineErrors, errorSpec, registeredGroups, type ErrorCode } from '../../src/domain/errors.ts';
import { ERROR_GROUPS, renderErrorsDoc } from '../../src/error-groups.ts';
import '../../src/http/app.ts';
import { FASTIFY_CODES } from '../../src/http/error-handler.ts';

const SRC = new URL('../../src/', import.meta.url);
const sources = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
})(SRC.pathname);

describe('error registry', () => {
  it('docs/errors.md is what the registry generates (npm run docs:errors)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    assert.equal(doc, renderErrorsDoc(), 'docs/errors.md is stale: run npm run docs:errors');
  });

  it('lists every group the app registers in src/error-groups.ts, so the docs show it', () => {
    const listed = new Set<string>(ERROR_GROUPS.map((g) => g.name));
    for (const group of registeredGroups()) assert.ok(listed.has(group.name), `group ${group.name} is missing from src/error-groups.ts`);
  });

  it('registers every code the HTTP error handler maps Fastify errors to', () => {
    for (const [fastifyCode, code] of Object.entries(FASTIFY_CODES)) assert.ok(errorSpec(code), `${fastifyCode} maps to ${code}, which is not registered`);
  });

  it('registers every code a file in src/ throws, compares or sends', () => {
    const patterns = [/BoxofficeError\(\s*'([A-Z][A-Z0-9_]*)'/g, /\bcode(?:\s*===\s*|:\s*)'([A-Z][A-Z0-9_]*)'/g, /statusOverrides:\s*\{([^}]*)\}/g];
    const unknown: string[] = [];
    let seen = 0;
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
          const codes = pattern.source.startsWith('statusOverrides') ? [...match[1]!.matchAll(/([A-Z][A-Z0-9_]*)\s*:/g)].map((m) => m[1]!) : [match[1]!];
          for (const code of codes) {
            seen++;
            if (!errorSpec(code)) unknown.push(`${code} in ${file.slice(SRC.pathname.length)}`);
          }
        }
      }
    }
    assert.ok(seen > 40, `the scan found ${seen} uses: is it still looking at the right patterns?`);
    assert.deepEqual(unknown, []);
  });

  it('gives every code a status, a message and a description', () => {
    for (const group of ERROR_GROUPS) {
      for (const [code, spec] of Object.entries(group.codes)) {
        assert.ok(spec.status >= 400 && spec.status < 600, `${code}: status ${spec.status}`);
        assert.ok(spec.message.length > 0 && spec.when.length > 0, code);
      }
    }
  });

  it('refuses a code defined twice', () => {
    assert.throws(() => defineErrors('again', 'Again', { HOLD_NOT_FOUND: { status: 404, message: 'x', when: 'x' } }), /already defined by group core/);
  });

  it('fills the message template from the details, and takes the status from the registry', () => {
    const e = new BoxofficeError('HOLD_NOT_FOUND', { holdId: 'dune-1.abc' });
    assert.equal(e.message, 'hold dune-1.abc does not exist');
    assert.equal(e.status, 404);
    assert.equal(new BoxofficeError('SEAT_UNAVAILABLE', { showtimeId: 'dune-1', seats: ['A1', 'A2'] }).message, 'seats A1, A2 of showtime dune-1 are not available');
    assert.equal(new BoxofficeError('INVALID_INPUT', 'seats must be a list').message, 'seats must be a list');
  });

  it('captures no stack for an expected refusal (4xx), and keeps it for a 5xx', () => {
    const refusal = new BoxofficeError('SEAT_UNAVAILABLE', { showtimeId: 'dune-1', seats: ['A1'] });
    assert.equal(refusal.stack?.includes('\n    at '), false, refusal.stack);
    assert.ok(refusal instanceof Error && refusal.name === 'BoxofficeError');
    const bug = new BoxofficeError('INTERNAL');
    assert.match(bug.stack ?? '', /\n {4}at /);
    assert.equal(Error.stackTraceLimit > 0, true, 'the limit is restored');
    const unregistered = new BoxofficeError('NO_SUCH_CODE' as ErrorCode);
    assert.equal(unregistered.status, 500, 'a code no group defines is a bug');
  });
});
