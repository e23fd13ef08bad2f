// The dashboard's router: the URL fragment holds the page and its state (#/runs/ID?metric=accuracy), so every view
// is a link that can be shared, and Back/Forward work. Each page renders into <main> and may ask to be refreshed
// while something is running; leaving the page stops that.
import { html, errorBox } from './util.js';
import * as projects from './pages/projects.js';
import * as project from './pages/project.js';
import * as run from './pages/run.js';
import * as model from './pages/model.js';
import * as monitoring from './pages/monitoring.js';
import * as predict from './pages/predict.js';

const routes = [
  { pattern: /^\/?$/, page: projects },
  { pattern: /^\/projects\/([a-z0-9][a-z0-9-]{1,62})$/, page: project },
  { pattern: /^\/runs\/([A-Za-z0-9_-]{1,128})$/, page: run },
  { pattern: /^\/models\/([a-z0-9][a-z0-9-]{1,62})$/, page: model },
  { pattern: /^\/models\/([a-z0-9][a-z0-9-]{1,62})\/monitoring$/, page: monitoring },
  { pattern: /^\/models\/([a-z0-9][a-z0-9-]{1,62})\/predict$/, page: predict },
];

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const refreshState = document.getElementById('refresh-state');
let current = null;
let shownPath = null;

/** The current fragment as a path and its query parameters. */
export function location() {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  return { path, params: new URLSearchParams(query) };
}

/** A fragment link to `path` with `params` (empty values dropped). */
export function href(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return '#' + path + (s ? '?' + s : '');
}

/** The current page with some parameters changed: for state that belongs in the URL (sort, selection, tab). */
export function withParams(changes) {
  const { path, params } = location();
  const all = Object.fromEntries(params.entries());
  return href(path, { ...all, ...changes });
}

async function show() {
  current?.abort.abort();
  current?.timers.forEach(clearTimeout);
  refreshState.textContent = '';
  const { path, params } = location();
  const route = routes.map(r => ({ r, m: r.pattern.exec(path) })).find(x => x.m);
  const ctx = {
    abort: new AbortController(),
    timers: [],
    params,
    args: route ? route.m.slice(1) : [],
    main,
    setCrumbs(items) {
      crumbs.innerHTML = html`${items.map((c, i) => html`${i ? html`<span class="sep" aria-hidden="true">/</span>` : ''}${c.href ? html`<a href="${c.href}">${c.label}</a>` : html`<span aria-current="page">${c.label}</span>`}`)}`.text;
    },
    /** Calls `step` every `ms` while it returns true and the page is still shown. */
    poll(ms, step) {
      const tick = async () => {
        if (ctx.abort.signal.aborted) return;
        let again = false;
        try { again = await step(); } catch (e) { if (e.name !== 'AbortError') console.error(e); again = true; }
        if (again && !ctx.abort.signal.aborted) {
          refreshState.textContent = `Auto-refresh every ${ms / 1000} s`;
          ctx.timers.push(setTimeout(tick, ms));
        } else if (!ctx.abort.signal.aborted) {
          refreshState.textContent = '';
        }
      };
      refreshState.textContent = `Auto-refresh every ${ms / 1000} s`;
      ctx.timers.push(setTimeout(tick, ms));
    },
  };
  current = ctx;
  // A new page starts from a loading state and takes the focus (screen readers announce it); a change of state on the
  // same page (sort, selection, filter) keeps what is shown, and the scroll position, until the new content is ready.
  const samePage = path === shownPath;
  const firstLoad = shownPath === null;
  shownPath = path;
  main.setAttribute('aria-busy', 'true');
  if (!samePage) {
    ctx.setCrumbs([]);
    main.innerHTML = html`<p class="loading">Loading…</p>`.text;
    if (!firstLoad) main.focus({ preventScroll: true });
  }
  if (!route) {
    main.innerHTML = html`<div class="error" role="alert"><strong>No such page</strong>Nothing lives at ${path}. <a href="#/">Back to the projects</a>.</div>`.text;
    main.removeAttribute('aria-busy');
    return;
  }
  try {
    await route.r.page.render(ctx);
  } catch (e) {
    if (e.name === 'AbortError' || ctx.abort.signal.aborted) return;
    main.innerHTML = errorBox(e).text;
  } finally {
    if (current === ctx) main.removeAttribute('aria-busy');
  }
}

// Buttons that change URL state (sortable headers) carry data-href: one listener for all of them.
document.addEventListener('click', e => {
  const button = e.target.closest('button[data-href]');
  if (button) {
    window.location.hash = button.dataset.href;
  }
});

window.addEventListener('hashchange', show);
show();
