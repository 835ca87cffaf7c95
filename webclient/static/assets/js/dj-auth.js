// /dj/register and /dj/login: validate, call the API, keep the token for
// the dashboard and go there.

import { $ } from './dom.js';
import { api } from './api.js';
import { djToken } from './storage.js';

const form = $('#auth-form');
const mode = form.dataset.mode; // "register" | "login"

function setError(field, message) {
  const out = $(`#${field}-error`);
  if (out) out.textContent = message;
  const input = $(`#${field}`);
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

function validate(values) {
  const errors = {};
  if (mode === 'register') {
    if (!values.displayName) errors.displayName = 'Enter the name dancers will see.';
    else if (values.displayName.length > 100) errors.displayName = 'Keep the DJ name under 100 characters.';
  }
  if (!values.email) errors.email = 'Enter your email.';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) errors.email = 'This does not look like an email address.';
  if (!values.password) errors.password = 'Enter your password.';
  else if (mode === 'register' && values.password.length < 10) errors.password = `The password needs at least 10 characters (${values.password.length} so far).`;
  return errors;
}

function capitalize(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }

/** Where to go after logging in: ?next= when it is a path of this site. */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return /^\/[A-Za-z0-9/_-]*$/.test(next) && !next.startsWith('//') ? next : '/dj';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const values = {
    email: $('#email').value.trim(),
    password: $('#password').value,
  };
  if (mode === 'register') values.displayName = $('#displayName').value.trim();
  const errors = validate(values);
  for (const f of ['displayName', 'email', 'password']) setError(f, errors[f] || '');
  setError('form', '');
  const firstBad = Object.keys(errors)[0];
  if (firstBad) {
    $(`#${firstBad}`).focus();
    return;
  }
  const button = $('#submit');
  button.disabled = true;
  // Registering answers the same whether the email is new or not (so it
  // tells a stranger nothing); signing in right after with the same
  // password tells the real owner what happened.
  let registered = false;
  try {
    if (mode === 'register') {
      await api('/api/auth/register', { method: 'POST', body: values });
      registered = true;
    }
    const res = await api('/api/auth/login', { method: 'POST', body: { email: values.email, password: values.password } });
    if (!res || typeof res.token !== 'string') throw new Error('The server did not send a token. Try again.');
    djToken.set(res.token);
    location.assign(nextPage());
    return;
  } catch (err) {
    if (registered && err.status === 401) {
      setError('form', 'Could not sign you in with this password. If this email already had an account, log in with its password, or register with another email.');
    } else if (err.status === 401) {
      setError('form', 'The email or the password is not right.');
    } else {
      setError('form', capitalize(err.message));
    }
  }
  button.disabled = false;
});

for (const f of ['displayName', 'email', 'password']) {
  const input = $(`#${f}`);
  if (input) input.addEventListener('input', () => setError(f, ''));
}

// Going between login and sign-up keeps where to go afterwards.
for (const a of document.querySelectorAll('a[href="/dj/register"], a[href="/dj/login"]')) a.search = location.search;
