// The step indicator of the booking journey: showtime, seats, checkout, tickets. It says where the
// person is (aria-current="step"), marks the steps behind with a check, and reads as "Step 2 of 4".
import { el } from '../common.js';

/** @typedef {'showtime' | 'seats' | 'checkout' | 'tickets'} Step */

/** @type {[Step, string][]} */
const STEPS = [
  ['showtime', 'Showtime'],
  ['seats', 'Seats'],
  ['checkout', 'Checkout'],
  ['tickets', 'Tickets'],
];

/** @param {HTMLElement} root an <ol> */
export function createSteps(root) {
  /** @type {Step} */
  let current = 'showtime';

  function render() {
    const at = STEPS.findIndex(([name]) => name === current);
    root.replaceChildren(
      ...STEPS.map(([name, label], i) =>
        el('li', { class: `step ${i < at ? 'step-done' : i === at ? 'step-current' : 'step-next'}`, 'data-step': name, 'aria-current': i === at ? 'step' : undefined },
          el('span', { class: 'step-mark', 'aria-hidden': 'true', text: i < at ? '✓' : String(i + 1) }),
          el('span', { class: 'step-label', text: label }),
          i < at ? el('span', { class: 'visually-hidden', text: ' (done)' }) : null)),
    );
    root.dataset.step = current;
  }

  render();
  return {
    get current() {
      return current;
    },
    set(/** @type {Step} */ step) {
      if (step === current) return;
      current = step;
      render();
    },
  };
}
