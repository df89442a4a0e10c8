/*
 * wecom-alert-adapter web console: the hash router and the poll loop. Plain ES modules, no
 * framework, no build step; one module per view. Routes: `#/<view>[/<id>][?filters]`, so every
 * view, filter and detail has a link that can be pasted into a chat.
 */
import { api } from './api.js';
import { $ } from './dom.js';
import { alertsView } from './view-alerts.js';
import { notificationsView } from './view-notifications.js';
import { deadLettersView } from './view-dead-letters.js';
import { templatesView } from './view-templates.js';
import { receiversView } from './view-receivers.js';
import { actionsView } from './view-actions.js';

const VIEWS = { alerts: alertsView, notifications: notificationsView, 'dead-letters': deadLettersView, templates: templatesView, receivers: receiversView, actions: actionsView };
const pollMs = Number(document.body.dataset.pollSeconds || 3) * 1000;
let active;

/** parseRoute: `#/notifications/42?receiver=ops` → { view, id, params }. */
export function parseRoute(hash) {
  const [path, query] = hash.replace(/^#\/?/, '').split('?');
  const [view, ...rest] = path.split('/');
  return { view: VIEWS[view] ? view : 'alerts', id: rest.length ? decodeURIComponent(rest.join('/')) : undefined, params: new URLSearchParams(query || '') };
}

function show() {
  const route = parseRoute(location.hash);
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.dataset.view !== route.view;
  for (const tab of document.querySelectorAll('[data-tab]')) {
    if (tab.dataset.tab === route.view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  active = VIEWS[route.view];
  document.title = document.querySelector('[data-tab="' + route.view + '"]').textContent.trim() + ' · wecom-alert-adapter';
  active.show(route).then(() => setLive(true), (error) => setLive(false, error));
}

function setLive(ok, error) {
  const live = $('live');
  live.textContent = ok ? '已更新 updated ' + new Date().toLocaleTimeString('zh-CN', { hour12: false }) : error && error.status === 401 ? '需要登录 sign in required (401)' : '更新失败 update failed: ' + (error ? error.message : '');
  live.className = ok ? 'live ok' : 'live bad';
}

async function poll() {
  try {
    const dead = await api('dead-letters/count');
    const badge = $('dead-count');
    badge.hidden = dead.count === 0;
    badge.textContent = String(dead.count);
    if (active && active.refresh && !document.hidden) await active.refresh();
    setLive(true);
  } catch (error) {
    setLive(false, error);
  }
}

// The sticky header's real height feeds scroll-margin-top (CSS --header), so no heading a link
// scrolls to ends up under it, whatever wraps on a narrow screen.
const header = document.querySelector('.top');
new ResizeObserver(() => document.documentElement.style.setProperty('--header', header.offsetHeight + 'px')).observe(header);

window.addEventListener('hashchange', show);
$('logout')?.addEventListener('click', async () => {
  await api('logout', {}).catch(() => undefined);
  location.href = 'login';
});
// On a phone the filter forms start folded (the list is what one looks at first), unless the
// link carries filters.
if (matchMedia('(max-width: 719px)').matches) {
  for (const box of document.querySelectorAll('details.filter-box')) box.open = parseRoute(location.hash).params.toString() !== '';
}
show();
poll();
setInterval(poll, pollMs);
