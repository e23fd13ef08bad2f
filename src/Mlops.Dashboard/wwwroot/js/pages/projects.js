// #/ : every project at a glance.
import { api, html, badge, fmtAgo, fmtTime, emptyState, shortSha, enc } from '../util.js';

export async function render(ctx) {
  ctx.setCrumbs([{ label: 'Projects' }]);
  const draw = async () => {
    const { projects } = await api('projects', { signal: ctx.abort.signal });
    ctx.main.innerHTML = html`
      <h1>Projects</h1>
      ${projects.length === 0
        ? html`<div class="card">${emptyState('No projects yet.')}<p>Create one with <code>PUT /api/projects/{name}</code> and upload a CSV to <code>incoming/{name}/</code> (or run <code>tools/demo</code>).</p></div>`
        : html`<div class="card scroll"><table>
          <thead><tr><th scope="col">Project</th><th scope="col">Spec</th><th scope="col">Latest data</th><th scope="col">Production model</th><th scope="col">Last run</th><th scope="col">Drift</th></tr></thead>
          <tbody>${projects.map(p => html`<tr data-project="${p.project}">
            <td><a href="#/projects/${enc(p.project)}"><strong>${p.project}</strong></a></td>
            <td>v${p.specVersion}: ${p.task} on <code>${p.target}</code><br><span class="muted">gate metric ${p.metric}</span></td>
            <td>${p.latestDataset
              ? html`v${p.latestDataset.version} · ${p.latestDataset.rowCount.toLocaleString('en-US')} rows<br><span class="muted mono" title="${p.latestDataset.sha256}">${shortSha(p.latestDataset.sha256)}</span>`
              : html`<span class="muted">none</span>`}</td>
            <td>${p.productionVersion
              ? html`<a href="#/models/${enc(p.modelName)}">${p.modelName} v${p.productionVersion}</a>${p.latestModelVersion && p.latestModelVersion !== p.productionVersion ? html`<br><span class="muted">latest v${p.latestModelVersion}</span>` : ''}`
              : html`<span class="muted">${p.latestModelVersion ? html`<a href="#/models/${enc(p.modelName)}">v${p.latestModelVersion}</a> not promoted` : 'none yet'}</span>`}</td>
            <td>${p.latestRun
              ? html`<a href="#/runs/${enc(p.latestRun.runId)}">${badge(p.latestRun.status)}</a> ${p.latestRun.currentStage ? html`<span class="muted">${p.latestRun.currentStage}</span>` : ''}<br><span class="muted" title="${fmtTime(p.latestRun.createdAt)}">${p.latestRun.trigger}, ${fmtAgo(p.latestRun.createdAt)}</span>`
              : html`<span class="muted">none</span>`}</td>
            <td>${p.drift
              ? html`<a href="#/models/${enc(p.modelName)}/monitoring">${badge(p.drift.drifted ? 'drift' : 'no drift', p.drift.drifted ? 'drift' : 'noDrift')}</a><br><span class="muted">${p.drift.sampleSize.toLocaleString('en-US')} rows, ${fmtAgo(p.drift.at)}</span>`
              : html`<span class="muted">not checked yet</span>`}</td>
          </tr>`)}</tbody></table></div>`}`.text;
    return projects.some(p => p.latestRun && (p.latestRun.status === 'running' || p.latestRun.status === 'queued'));
  };
  if (await draw()) ctx.poll(5000, draw);
}
