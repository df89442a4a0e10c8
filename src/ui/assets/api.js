/*
 * The console's JSON API client (URLs relative to /ui/). A browser session sends its CSRF token on
 * every POST; `X-Console: 1` makes a signed-out answer a plain 401 (then the login page opens)
 * instead of the browser's password prompt.
 */
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content');

export async function api(path, body) {
  const headers = { Accept: 'application/json', 'X-Console': '1' };
  const options = { credentials: 'same-origin', headers };
  if (body !== undefined) {
    options.method = 'POST';
    headers['Content-Type'] = 'application/json';
    if (csrf) headers['X-CSRF-Token'] = csrf;
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path.startsWith('logout') ? path : 'api/' + path, options);
  const data = await response.json().catch(() => ({ error: 'HTTP ' + response.status + ' ' + response.statusText }));
  if (response.status === 401 && csrf) {
    location.href = 'login';
  }
  if (response.ok) return data;
  const error = new Error(data.error || 'HTTP ' + response.status);
  error.status = response.status;
  error.path = data.path;
  error.data = data;
  throw error;
}
