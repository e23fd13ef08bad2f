// #/models/{name}/predict?version=N : a form generated from the model's signature; one row in, the prediction out.
import { api, apiOrNull, html, Safe, badge, fmtNum, enc, emptyState, errorBox } from '../util.js';
import { withParams } from '../app.js';

const numeric = t => t === 'float' || t === 'double' || t === 'int64';

export async function render(ctx) {
  const [name] = ctx.args;
  const signal = ctx.abort.signal;
  ctx.setCrumbs([{ label: 'Projects', href: '#/' }, { label: name, href: `#/projects/${enc(name)}` }, { label: 'predict' }]);
  const model = await apiOrNull(`models/${enc(name)}`, { signal });
  const tabs = html`<div class="tabs" role="navigation" aria-label="Project pages">
      <a href="#/projects/${enc(name)}">Data and runs</a><a href="#/models/${enc(name)}">Registry</a>
      <a href="#/models/${enc(name)}/monitoring">Monitoring</a><a href="#/models/${enc(name)}/predict" aria-current="page">Predict</a></div>`;
  if (!model) {
    ctx.main.innerHTML = html`<h1>${name} <span class="muted">predict</span></h1>${tabs}<div class="card">${emptyState('No model version is registered yet.')}</div>`.text;
    return;
  }
  const production = model.aliases.production?.version ?? null;
  const pinned = Number(ctx.params.get('version')) || null;
  const version = model.versions.find(v => v.version === (pinned ?? production)) ?? null;
  if (!version) {
    ctx.main.innerHTML = html`<h1>${name} <span class="muted">predict</span></h1>${tabs}<div class="card">${emptyState(pinned ? `There is no version ${pinned}.` : 'No version is in production yet: pick one.')}
      ${versionPicker(model, pinned)}</div>`.text;
    bindPicker(ctx);
    return;
  }
  const sig = version.card.signature;
  // Prefill with typical values from the training data's profile (the mean, the most frequent category).
  const profile = await apiOrNull(`projects/${enc(version.card.project ?? name)}/datasets/${enc(version.card.data.datasetSha256)}/profile`, { signal }).catch(() => null);
  const typical = Object.fromEntries((profile?.columns ?? []).map(c => [c.name, c.numeric ? Number(c.numeric.mean.toPrecision(4)) : c.categorical ? Object.keys(c.categorical.topCounts)[0] : '']));
  const choices = Object.fromEntries((profile?.columns ?? []).filter(c => c.categorical).map(c => [c.name, Object.keys(c.categorical.topCounts)]));

  ctx.main.innerHTML = html`
    <h1>${name} <span class="muted">predict</span></h1>
    ${tabs}
    <section class="card" aria-labelledby="form-h">
      <h2 id="form-h">v${version.version} ${version.version === production ? badge('production', 'alias') : badge('pinned')}</h2>
      ${versionPicker(model, pinned)}
      <form class="predict" id="predict-form" novalidate>
        ${sig.inputs.map((f, i) => field(f, i, typical[f.name], choices[f.name]))}
        <div class="actions"><button type="submit" id="predict-submit">Predict</button> <span class="muted">POST /api/models/${name}${pinned ? `/versions/${pinned}` : ''}/predict with one dataframe_records row</span></div>
      </form>
    </section>
    <section class="card" aria-labelledby="res-h" aria-live="polite">
      <h2 id="res-h">Result</h2>
      <div id="predict-result">${emptyState('Fill in the inputs and press Predict.')}</div>
    </section>`.text;
  bindPicker(ctx);

  const form = ctx.main.querySelector('#predict-form');
  const out = ctx.main.querySelector('#predict-result');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const row = {};
    for (const f of sig.inputs) {
      const input = form.elements.namedItem(f.name);
      if (f.type === 'bool') { row[f.name] = input.checked; continue; }
      const text = input.value.trim();
      if (text === '') { row[f.name] = null; continue; }
      row[f.name] = numeric(f.type) ? Number(text) : text;
    }
    out.innerHTML = html`<p class="loading">Predicting…</p>`.text;
    const button = form.querySelector('#predict-submit');
    button.disabled = true;
    try {
      const path = pinned ? `models/${enc(name)}/versions/${pinned}/predict` : `models/${enc(name)}/predict`;
      const result = await api(path, { method: 'POST', body: { dataframe_records: [row] } });
      const p = result.predictions[0];
      const label = p && typeof p === 'object' ? (p.label ?? p.prediction ?? p.value) : p;
      const probs = p && typeof p === 'object' && p.probabilities ? Object.entries(p.probabilities).sort((a, b) => b[1] - a[1]) : [];
      out.innerHTML = html`<p class="prediction">Prediction: <strong id="prediction-value">${label === undefined ? JSON.stringify(p) : fmtNum(label)}</strong>
        <span class="muted">by ${result.model.name} v${result.model.version}, id <span class="mono">${result.predictionIds?.[0] ?? ''}</span></span></p>
        ${probs.length ? html`<table><thead><tr><th scope="col">Class</th><th scope="col" class="num">Probability</th></tr></thead><tbody>${probs.map(([k, v]) => html`<tr><td>${k}</td><td class="num">${(100 * v).toFixed(1)}%</td></tr>`)}</tbody></table>` : ''}
        ${result.warnings?.length ? html`<p class="muted">Warnings: ${result.warnings.join('; ')}</p>` : ''}
        <details><summary>Response JSON</summary><pre>${JSON.stringify(result, null, 2)}</pre></details>`.text;
    } catch (err) {
      out.innerHTML = errorBox(err).text;
    } finally {
      button.disabled = false;
    }
  });
}

function field(f, i, value, options) {
  const id = `in-${i}`;
  const required = f.nullable ? '' : new Safe(' required');
  if (f.type === 'bool') {
    return html`<label for="${id}">${f.name} <span>(bool)</span><input type="checkbox" id="${id}" name="${f.name}" ${value === 'true' || value === true ? new Safe('checked') : ''}></label>`;
  }
  if (numeric(f.type)) {
    return html`<label for="${id}">${f.name} <span>(${f.type}${f.nullable ? ', optional' : ''})</span><input type="number" step="any" id="${id}" name="${f.name}" value="${value ?? ''}"${required}></label>`;
  }
  const list = options?.length ? html`<datalist id="${id}-list">${options.map(o => html`<option value="${o}"></option>`)}</datalist>` : '';
  return html`<label for="${id}">${f.name} <span>(${f.type}${f.nullable ? ', optional' : ''})</span><input type="text" id="${id}" name="${f.name}" value="${value ?? ''}" ${options?.length ? new Safe(`list="${id}-list"`) : ''}${required}>${list}</label>`;
}

function versionPicker(model, pinned) {
  return html`<p><label>Version <select id="version-select"><option value="">production alias</option>${[...model.versions].sort((a, b) => b.version - a.version).map(v => html`<option value="${v.version}" ${v.version === pinned ? new Safe('selected') : ''}>v${v.version}</option>`)}</select></label></p>`;
}

function bindPicker(ctx) {
  const select = ctx.main.querySelector('#version-select');
  select?.addEventListener('change', () => { window.location.hash = withParams({ version: select.value }); });
}
