// The header's account corner and its dialog: sign in, register, or go on as a guest; sign out.
// A native <dialog> opened with showModal(): it keeps the focus inside, Escape closes it, and the
// focus goes back to the button that opened it. Errors stand beside the field they are about.
import { el } from '../common.js';

/** @typedef {import('./account.js').session} Session */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * @param {HTMLElement} root where the header shows "Sign in" or the signed-in email and "Sign out"
 * @param {Session} session
 * @param {{ say?: (text: string, ok?: boolean) => void, heldSeats?: () => number }} [hooks] heldSeats: how
 *   many seats the person holds now (they stay the account's after signing out)
 */
export function mountAccount(root, session, { say = () => {}, heldSeats = () => 0 } = {}) {
  /** @type {'login' | 'register'} */
  let mode = 'login';
  /** @type {HTMLElement | null} */
  let opener = null;

  const title = el('h2', { id: 'account-title', text: 'Sign in' });
  const lead = el('p', { class: 'account-lead', id: 'account-lead' });
  const formError = el('p', { class: 'form-error', id: 'account-error', role: 'alert', tabindex: '-1' });
  const email = field('email', 'Email', { type: 'email', autocomplete: 'email', inputmode: 'email', required: true, spellcheck: 'false' });
  const password = field('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true, minlength: '8', maxlength: '200' });
  const submit = el('button', { type: 'submit', class: 'primary', text: 'Sign in' });
  const switcher = el('button', { type: 'button', class: 'link-button', onclick: () => setMode(mode === 'login' ? 'register' : 'login', true) });
  const guest = el('button', { type: 'button', text: 'Go on as a guest', onclick: () => close() });
  const form = el('form', { class: 'account-form', novalidate: true },
    formError,
    email.box,
    password.box,
    el('div', { class: 'account-actions' }, submit, guest),
    el('p', { class: 'account-switch' }, switcher));
  const closeButton = el('button', { type: 'button', class: 'dialog-close', 'aria-label': 'Close', text: '×', onclick: () => close() });
  const dialog = el('dialog', { id: 'account-dialog', class: 'account-dialog', 'aria-labelledby': 'account-title', 'aria-describedby': 'account-lead' },
    el('div', { class: 'dialog-head' }, title, closeButton),
    lead,
    form);
  document.body.append(dialog);

  function field(name, label, attrs) {
    const id = `account-${name}`;
    const input = el('input', { id, name, 'aria-describedby': `${id}-error`, ...attrs });
    const error = el('span', { class: 'field-error', id: `${id}-error` });
    return { input, error, box: el('div', { class: 'field' }, el('label', { for: id, text: label }), input, error) };
  }

  function setMode(/** @type {'login' | 'register'} */ next, focus = false) {
    mode = next;
    const login = mode === 'login';
    title.textContent = login ? 'Sign in' : 'Create an account';
    lead.textContent = login
      ? 'Your bookings and tickets, on any device. Seats you hold now stay yours.'
      : 'An email and a password of at least 8 characters. Seats you hold now stay yours.';
    submit.textContent = login ? 'Sign in' : 'Create account';
    switcher.textContent = login ? 'New here? Create an account' : 'Have an account? Sign in';
    password.input.autocomplete = login ? 'current-password' : 'new-password';
    showErrors({});
    if (focus) (email.input.value ? password.input : email.input).focus();
  }

  function showErrors(/** @type {{ email?: string, password?: string, form?: string }} */ errors) {
    for (const [f, text] of /** @type {const} */ ([[email, errors.email], [password, errors.password]])) {
      f.error.textContent = text ?? '';
      f.input.setAttribute('aria-invalid', text ? 'true' : 'false');
    }
    formError.textContent = errors.form ?? '';
  }

  function open(/** @type {'login' | 'register'} */ how = 'login') {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    form.reset();
    setMode(how);
    dialog.showModal();
    email.input.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }
  // Escape and the close button both end here: the focus goes back where it was.
  dialog.addEventListener('close', () => {
    const back = opener?.isConnected ? opener : root.querySelector('button');
    opener = null;
    back?.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it, as people expect of a pop-up.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) {
      const r = dialog.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) close();
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const address = email.input.value.trim();
    const secret = password.input.value;
    /** @type {{ email?: string, password?: string, form?: string }} */
    const errors = {};
    if (!EMAIL.test(address)) errors.email = address ? 'This does not look like an email address.' : 'Enter your email.';
    if (!secret) errors.password = 'Enter your password.';
    else if (mode === 'register' && secret.length < 8) errors.password = 'Use at least 8 characters.';
    showErrors(errors);
    if (errors.email || errors.password) return void (errors.email ? email.input : password.input).focus();
    submit.disabled = true;
    try {
      const { user, transferredHolds } = await (mode === 'login' ? session.signIn(address, secret) : session.register(address, secret));
      close();
      const kept = transferredHolds.length ? ` Your held seats came with you.` : '';
      say(`${mode === 'login' ? 'Signed in' : 'Account created: signed in'} as ${user.email}.${kept}`, true);
    } catch (err) {
      refused(err);
    } finally {
      submit.disabled = false;
    }
  });

  /** What the server refused, beside the field it is about, or above the form. */
  function refused(/** @type {any} */ err) {
    if (err.code === 'EMAIL_TAKEN') {
      showErrors({ email: 'This email has an account already: sign in instead.' });
      return email.input.focus();
    }
    if (err.code === 'INVALID_INPUT' && /password/.test(err.message)) {
      showErrors({ password: 'A password has 8 to 200 characters.' });
      return password.input.focus();
    }
    if (err.code === 'INVALID_INPUT' && /email/.test(err.message)) {
      showErrors({ email: 'This does not look like an email address.' });
      return email.input.focus();
    }
    if (err.code === 'INVALID_CREDENTIALS') showErrors({ form: 'Wrong email or password.' });
    else if (err.code === 'LOGIN_THROTTLED' || err.code === 'RATE_LIMITED') showErrors({ form: 'Too many tries: wait a moment, then try again.' });
    else showErrors({ form: err.message || 'That did not work; try again.' });
    password.input.select();
    formError.focus();
  }

  function render() {
    const user = session.user();
    root.replaceChildren(
      ...(user
        ? [
            el('span', { class: 'account-who' }, el('span', { class: 'visually-hidden', text: 'Signed in as ' }), user.email),
            el('button', { type: 'button', class: 'account-button', id: 'sign-out', text: 'Sign out', onclick: signOut }),
          ]
        : [
            el('span', { class: 'account-who', text: 'Guest' }),
            el('button', { type: 'button', class: 'account-button', id: 'sign-in', 'aria-haspopup': 'dialog', text: 'Sign in', onclick: () => open('login') }),
          ]),
    );
  }

  async function signOut() {
    const held = heldSeats();
    try {
      await session.signOut();
      // The account keeps its holds: without a word the seats just turn "held by others" on the map.
      say(`Signed out. You go on as a guest.${held ? ` The ${held === 1 ? 'seat' : `${held} seats`} you held stay${held === 1 ? 's' : ''} with your account until the hold runs out: sign in again to book ${held === 1 ? 'it' : 'them'}.` : ''}`, true);
    } catch (/** @type {any} */ e) {
      say(e.message);
    }
    root.querySelector('button')?.focus();
  }

  session.onChange(render);
  render();
  return { open, close, dialog };
}
