// #/models/{name}?version=N : the registry: versions, aliases and their audit history, model card, signature, gate
// decisions; promote and roll back with a confirmation.
import { api, apiOrNull, html, badge, fmtAgo, fmtTime, fmtNum, shortSha, enc, emptyState, errorBox } from '../util.js';
import { withParams } from '../app.js';

export async function render(ctx, notice) {
  const [name] = ctx.args;
  const signal = ctx.abort.signal;
  ctx.setCrumbs([{ label: 'Projects', href: '#/' }, { label: name, href: `#/projects/${enc(name)}` }, { label: 'registry' }]);
  const model = await apiOrNull(`models/${enc(name)}`, { signal });
  if (!model) {
    ctx.main.innerHTML = html`<h1>${name}</h1>${tabs(name)}<div class="card">${emptyState(`No version of ${name} is registered yet: a finished training run registers one.`)}</div>`.text;
    return;
  }
  const versions = [...model.versions].sort((a, b) => b.version - a.version);
  const production = model.aliases.production?.version ?? null;
  const chosenVersion = Number(ctx.params.get('version')) || production || versions[0].version;
  const chosen = versions.find(v => v.version === chosenVersion) ?? versions[0];
  // Gate decisions are stage details of the runs that registered the versions (newest 12).
  const runs = Object.fromEntries(await Promise.all(versions.slice(0, 12).map(async v =>
    [v.version, await apiOrNull(`runs/${enc(v.runId)}`, { signal }).catch(() => null)])));
  const gate = v => runs[v]?.run?.stages?.find(s => s.name === 'gate');

  ctx.main.innerHTML = html`
    <h1>${name} <span class="muted">registry</span></h1>
    ${tabs(name)}
    ${notice ? html`<div class="notice" role="status" id="notice">${notice}</div>` : ''}
    <div class="grid">
      <section class="card" aria-labelledby="al-h">
        <h2 id="al-h">Aliases</h2>
        ${Object.keys(model.aliases).length === 0 ? emptyState('No alias yet: no version has passed the promotion gate.') : html`
        <dl class="kv" id="aliases">${Object.values(model.aliases).map(a => html`<dt>${badge(a.alias, 'alias')}</dt><dd data-alias="${a.alias}">v${a.version} <span class="muted">since ${fmtTime(a.updatedAt)} by ${a.updatedBy}</span></dd>`)}</dl>`}
      </section>
      <section class="card" aria-labelledby="au-h">
        <h2 id="au-h">Alias history</h2>
        ${model.audit.length === 0 ? emptyState('No alias has moved yet.') : html`
        <div class="scroll" style="max-height:260px"><table id="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Alias</th><th scope="col">Move</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
          <tbody>${[...model.audit].sort((a, b) => new Date(b.at) - new Date(a.at)).map(e => html`<tr>
            <td title="${fmtTime(e.at)}">${fmtAgo(e.at)}</td><td>${e.alias}</td><td>${e.fromVersion ? `v${e.fromVersion} → ` : ''}v${e.toVersion}</td><td>${e.actor}</td>
            <td>${e.reason}${e.runId ? html` <a href="#/runs/${enc(e.runId)}" class="muted">run</a>` : ''}</td></tr>`)}</tbody>
        </table></div>`}
      </section>
    </div>
    <section class="card" aria-labelledby="v-h">
      <h2 id="v-h">Versions</h2>
      <div class="scroll"><table id="versions">
        <thead><tr><th scope="col">Version</th><th scope="col">Trainer</th><th scope="col" class="num">Metric</th><th scope="col">Data</th><th scope="col">Gate decision</th><th scope="col">Registered</th><th scope="col">Action</th></tr></thead>
        <tbody>${versions.map(v => {
          const g = gate(v.version);
          const metric = v.card.metric;
          return html`<tr class="${v.version === chosen.version ? 'selected' : ''}" data-version="${v.version}">
            <td><a href="${withParams({ version: v.version })}">v${v.version}</a> ${v.version === production ? badge('production', 'alias') : ''}</td>
            <td>${v.card.trainer ?? ''}</td>
            <td class="num">${metric ? html`${fmtNum(v.card.metrics?.[metric])} <span class="muted">${metric}</span>` : ''}</td>
            <td>${v.card.data.datasetVersion ? `v${v.card.data.datasetVersion}` : shortSha(v.card.data.datasetSha256)} <span class="muted">${Number(v.card.data.rows).toLocaleString('en-US')} rows</span></td>
            <td>${g ? html`${g.detail ?? g.status}` : html`<span class="muted">${runs[v.version] ? 'no gate stage' : 'run not found'}</span>`}</td>
            <td title="${fmtTime(v.createdAt)}">${fmtAgo(v.createdAt)} · <a href="#/runs/${enc(v.runId)}">run</a></td>
            <td>${v.version === production || !v.ready ? '' : html`<button type="button" class="secondary" data-move="${v.version}">${production && v.version < production ? `Roll back to v${v.version}` : `Promote v${v.version}`}</button>`}</td></tr>`;
        })}</tbody>
      </table></div>
    </section>
    ${card(chosen, production)}`.text;

  for (const button of ctx.main.querySelectorAll('button[data-move]')) {
    button.addEventListener('click', () => move(ctx, name, Number(button.dataset.move), production, button));
  }
}

function tabs(name) {
  return html`<div class="tabs" role="navigation" aria-label="Project pages">
    <a href="#/projects/${enc(name)}">Data and runs</a><a href="#/models/${enc(name)}" aria-current="page">Registry</a>
    <a href="#/models/${enc(name)}/monitoring">Monitoring</a><a href="#/models/${enc(name)}/predict">Predict</a></div>`;
}

function card(v, production) {
  const c = v.card;
  const sig = c.signature;
  return html`<div class="grid">
    <section class="card" aria-labelledby="card-h" id="model-card">
      <h2 id="card-h">Model card: v${v.version} ${v.version === production ? badge('production', 'alias') : ''}</h2>
      <dl class="kv">
        <dt>Task</dt><dd>${c.task ?? ''} · ${c.trainer ?? ''}</dd>
        <dt>Run</dt><dd><a href="#/runs/${enc(c.runId)}" class="mono">${c.runId}</a></dd>
        <dt>Data</dt><dd><span class="mono">${c.data.datasetSha256}</span><br>${Number(c.data.rows).toLocaleString('en-US')} rows${c.data.trainRows ? ` (${c.data.trainRows} train, ${c.data.holdoutRows} holdout)` : ''}${c.data.specVersion ? `, spec v${c.data.specVersion}` : ''}</dd>
        <dt>Holdout metrics</dt><dd>${Object.entries(c.metrics || {}).map(([k, m]) => html`<span class="badge">${k} ${fmtNum(m)}</span> `)}</dd>
        ${c.parity ? html`<dt>ONNX parity</dt><dd>${c.parity.passed ? badge('passed', 'ok') : badge('failed')} max |Δ| ${fmtNum(c.parity.maxAbsoluteDifference)} on ${c.parity.rows} rows${c.parity.labelAgreement !== undefined && c.parity.labelAgreement !== null ? `, labels agree ${fmtNum(c.parity.labelAgreement * 100)}%` : ''}</dd>` : ''}
        <dt>Params</dt><dd class="mono">${Object.entries(c.params || {}).map(([k, p]) => `${k}=${p}`).join(' ')}</dd>
        <dt>Files</dt><dd class="mono">${(c.files || []).join(', ')}</dd>
      </dl>
    </section>
    <section class="card" aria-labelledby="sig-h" id="signature">
      <h2 id="sig-h">Signature</h2>
      <table><thead><tr><th scope="col">Input</th><th scope="col">Type</th><th scope="col">Shape</th><th scope="col">Nullable</th></tr></thead>
        <tbody>${sig.inputs.map(f => html`<tr><td><code>${f.name}</code></td><td>${f.type}</td><td>[${f.shape.join(', ')}]</td><td>${f.nullable ? 'yes' : 'no'}</td></tr>`)}</tbody></table>
      <h3>Outputs</h3>
      <p>${sig.outputs.map(f => html`<code>${f.name}</code> <span class="muted">${f.type} [${f.shape.join(', ')}]</span> `)}</p>
      ${sig.classLabels ? html`<p class="muted">Classes: ${sig.classLabels.join(', ')}</p>` : ''}
    </section></div>`;
}

function move(ctx, name, version, production, button) {
  const dialog = document.getElementById('confirm');
  const verb = production && version < production ? 'Roll back' : 'Promote';
  document.getElementById('confirm-title').textContent = `${verb} ${name} to v${version}?`;
  document.getElementById('confirm-text').textContent = production
    ? `The production alias moves from v${production} to v${version}; predictions use v${version} from the next request.`
    : `The production alias is created on v${version}.`;
  const reason = document.getElementById('confirm-reason');
  reason.value = `${verb.toLowerCase()} from the dashboard`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    button.focus();
    if (dialog.returnValue !== 'ok') return;
    button.disabled = true;
    try {
      const result = await api(`models/${enc(name)}/aliases/production`, {
        method: 'POST',
        body: { version, reason: reason.value || `${verb.toLowerCase()} from the dashboard`, expectedVersion: production ?? 0 },
      });
      await render(ctx, `production now points to v${result.version}${result.previousVersion ? ` (was v${result.previousVersion})` : ''}.`);
      ctx.main.querySelector('#notice')?.focus();
    } catch (e) {
      ctx.main.insertAdjacentHTML('afterbegin', errorBox(e).text);
      button.disabled = false;
    }
  };
  dialog.showModal();
  document.getElementById('confirm-ok').focus();
}
