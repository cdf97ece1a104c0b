import { defineErrors, type CodesOf } from '../domain/errors.ts';

/** The Concurrency Lab's own codes: registered with the lab, listed in docs/errors.md even when it is off. */
export const LAB_ERRORS = defineErrors('lab', 'Concurrency Lab', {
  LAB_MODE_UNAVAILABLE: {
    status: 409,
    message: 'mode {mode} is not available on this server: {reason}',
    when: "the chosen mode's service is not configured (`redis-lock` without `REDIS_URL`) or did not answer",
    details: '`mode`, `reason`',
  },
});

declare module '../domain/errors.ts' {
  interface ErrorCodes extends CodesOf<typeof LAB_ERRORS> {}
}
