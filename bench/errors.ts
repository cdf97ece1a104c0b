// Cost of building an error: a refusal (4xx BoxofficeError, no stack) against the same error with a
// stack captured (what the old BookingError did), 1e6 each, from a few frames deep like a route.
import { BoxofficeError } from '../src/domain/errors.ts';

class WithStack extends Error {
  constructor(readonly code: string, message: string, readonly details: Record<string, unknown>) {
    super(message);
  }
}
const N = 1_000_000;
const deep = (n: number, make: () => Error): Error => (n === 0 ? make() : deep(n - 1, make));
function run(label: string, make: () => Error): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += deep(8, make).message.length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  (${((ms * 1e6) / N).toFixed(0)} ns each)${sink < 0 ? '!' : ''}`);
  return ms;
}
for (let round = 0; round < 2; round++) {
  const details = { showtimeId: 'dune-1', seats: ['B4'] };
  const withStack = run('Error subclass, stack captured', () => new WithStack('SEAT_UNAVAILABLE', 'seat B4 of showtime dune-1 is not available', details));
  const without = run('BoxofficeError 409, no stack', () => new BoxofficeError('SEAT_UNAVAILABLE', 'seat B4 of showtime dune-1 is not available', details));
  const templated = run('BoxofficeError 409, from template', () => new BoxofficeError('SEAT_UNAVAILABLE', details));
  console.log(`ratio stack/no-stack: ${(withStack / without).toFixed(1)}x; template: ${(withStack / templated).toFixed(1)}x\n`);
}
