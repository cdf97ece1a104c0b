/**
 * Every group of error codes, in the order docs/errors.md lists them. Importing this module
 * registers them all (`npm run docs:errors` and test/errors/registry.test.ts do; the app imports
 * each group where it is used). An optional plugin's group belongs here too, so its codes are
 * documented even when the plugin is switched off: one import and one entry.
 */
import { CHECKOUT_ERRORS } from './checkout/checkout-errors.ts';
import { CORE_ERRORS } from './domain/errors.ts';
import { HTTP_ERRORS } from './http/http-errors.ts';
import { LAB_ERRORS } from './lab/lab-errors.ts';

export const ERROR_GROUPS = [CORE_ERRORS, CHECKOUT_ERRORS, HTTP_ERRORS, LAB_ERRORS] as const;

/** docs/errors.md, as the registry says it: `npm run docs:errors` writes it, a test compares. */
export function renderErrorsDoc(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from the error registry by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error is JSON `{ "error": "<message for people>", "code": "<CODE>", "details"?: { ... } }`, on the',
    'product API and on the FirstClick surface alike (FirstClick clients read `error`). Messages name the ids',
    'involved; the message column is the default, a thrower may say more. A 5xx never carries details.',
    '',
    'The codes, their statuses and these texts live in one registry: `src/domain/errors.ts` (`defineErrors`)',
    'and one file per group, listed in `src/error-groups.ts`. The HTTP error handler answers with the status',
    'registered for a code; stores return numeric codes that `storeError` turns into these, so a message never',
    'depends on the store.',
  ];
  for (const group of ERROR_GROUPS) {
    lines.push('', `## ${group.title}`, '', '| code | status | message | when | details |', '|---|---|---|---|---|');
    const codes = Object.entries(group.codes).sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b));
    for (const [code, spec] of codes) {
      lines.push(`| \`${code}\` | ${spec.status} | ${cell(spec.message)} | ${cell(spec.when)} | ${cell(spec.details ?? '')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
