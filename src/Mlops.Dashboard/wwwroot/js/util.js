// Shared helpers: escaping HTML templates, the API client, formatting, charts.

/** Markup that is already safe (built by `html` or trusted constants); everything else is escaped. */
export class Safe {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value) {
  return String(value).replace(/[&<>"'`]/g, c => entities[c]);
}

function render(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Safe) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/** Tagged template: every interpolated value is escaped unless it is Safe (nested `html` results are). */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Safe(out);
}

/** An error the API answered with RFC 7807 problem details (or a network failure). */
export class ApiError extends Error {
  constructor(status, title, detail, problem) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.problem = problem;
  }
}

// The dashboard lives at <base>/api/ui/: the API is the folder above it.
const apiBase = new URL('../', document.baseURI);

/** Calls the public HTTP API; throws ApiError with the problem details' message on failure. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  let response;
  try {
    response = await fetch(new URL(path, apiBase), {
      method,
      signal,
      // X-Requested-With: behind App Service authentication an expired sign-in then answers 401, not a login redirect.
      headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Network error', `The app did not answer (${e.message}). Is it running?`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: handled below */ }
  if (!response.ok) {
    const problem = json && typeof json === 'object' ? json : null;
    const detail = problem?.detail ?? (response.status === 401 ? 'Not signed in (or the sign-in expired): reload the page to sign in again.' : (text.slice(0, 200) || `HTTP ${response.status}`));
    throw new ApiError(response.status, problem?.title ?? response.statusText, detail, problem);
  }
  return json;
}

/** Same as api(), but a 404 gives null (for "not there yet" states). */
export async function apiOrNull(path, options) {
  try { return await api(path, options); } catch (e) { if (e instanceof ApiError && e.status === 404) return null; throw e; }
}

export function errorBox(error) {
  const status = error instanceof ApiError && error.status ? ` (${error.status}${error.title ? ' ' + error.title : ''})` : '';
  return html`<div class="error" role="alert"><strong>Could not load this${status}</strong>${error.message}</div>`;
}

export const enc = encodeURIComponent;

export function fmtTime(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function fmtAgo(value) {
  if (!value) return '';
  const s = (Date.now() - new Date(value).getTime()) / 1000;
  if (s < 60) return `${Math.max(0, Math.round(s))} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Seconds from a .NET TimeSpan string ("hh:mm:ss.fffffff", "d.hh:mm:ss") or from two instants. */
export function seconds(span, start, end) {
  if (typeof span === 'string') {
    const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span);
    if (m) return (+(m[1] || 0)) * 86400 + (+m[2]) * 3600 + (+m[3]) * 60 + (+m[4]);
  }
  if (start) return ((end ? new Date(end) : new Date()) - new Date(start)) / 1000;
  return null;
}

export function fmtSeconds(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return '';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function fmtNum(v, digits = 4) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 1000 ? v.toFixed(1) : Number(v.toPrecision(digits)).toString();
}

export const shortSha = sha => (sha ? sha.slice(0, 12) : '');

export function badge(text, kind = text) {
  return html`<span class="badge ${String(kind).replace(/[^A-Za-z0-9_-]/g, '')}">${text}</span>`;
}

export function emptyState(text) {
  return html`<p class="empty">${text}</p>`;
}

/** Draws a Vega-Lite spec into the element (SVG, so each mark is an element a test or a screen reader can find). */
export async function chart(element, spec, label) {
  if (!element) return;
  element.setAttribute('role', 'img');
  if (label) element.setAttribute('aria-label', label);
  const full = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    config: { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 11 }, legend: { labelFontSize: 11 }, view: { stroke: null } },
    ...spec,
  };
  // vega-embed is loaded by a deferred classic script; modules run after those, so it is there.
  await window.vegaEmbed(element, full, { actions: false, renderer: 'svg', tooltip: true });
  element.dataset.rendered = 'true';
}

/** Renders a sortable table; the sort state lives in the URL (shareable), via the given callbacks. */
export function sortableTable({ id, columns, rows, sort, dir, onSortHref, rowClass, caption }) {
  const sorted = [...rows];
  const col = columns.find(c => c.key === sort);
  if (col) {
    const get = col.value ?? (r => r[col.key]);
    sorted.sort((a, b) => {
      const x = get(a), y = get(b);
      const c = x === y ? 0 : x === undefined || x === null ? 1 : y === undefined || y === null ? -1 : x < y ? -1 : 1;
      return dir === 'desc' ? -c : c;
    });
  }
  return html`<div class="scroll"><table id="${id ?? ''}">
    ${caption ? html`<caption class="muted" style="text-align:left">${caption}</caption>` : ''}
    <thead><tr>${columns.map(c => {
      const state = c.key === sort ? (dir === 'desc' ? 'descending' : 'ascending') : 'none';
      const next = c.key === sort && dir !== 'desc' ? 'desc' : 'asc';
      return html`<th class="${c.num ? 'num' : ''}" aria-sort="${state}" scope="col"><button type="button" data-href="${onSortHref(c.key, next)}" aria-label="Sort by ${c.label}">${c.label}</button></th>`;
    })}</tr></thead>
    <tbody>${sorted.map(r => html`<tr class="${rowClass ? rowClass(r) : ''}">${columns.map(c => html`<td class="${c.num ? 'num' : ''}">${c.render ? c.render(r) : fmtNum((c.value ?? (x => x[c.key]))(r))}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}
