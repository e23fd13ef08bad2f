// #/projects/{project}?dataset=SHA&quarantine=SHA : spec, dataset versions with profiles, quarantine, runs.
import { api, apiOrNull, html, badge, chart, fmtAgo, fmtTime, fmtNum, fmtSeconds, seconds, emptyState, shortSha, enc, errorBox } from '../util.js';
import { withParams } from '../app.js';

export async function render(ctx) {
  const [name] = ctx.args;
  const signal = ctx.abort.signal;
  ctx.setCrumbs([{ label: 'Projects', href: '#/' }, { label: name }]);
  const [projectInfo, datasets, runs] = await Promise.all([
    api(`projects/${enc(name)}`, { signal }),
    api(`projects/${enc(name)}/datasets`, { signal }),
    api(`projects/${enc(name)}/runs?take=30`, { signal }),
  ]);
  const spec = projectInfo.spec;
  const selected = ctx.params.get('dataset') || datasets.versions[0]?.sha256 || '';
  const quarantine = ctx.params.get('quarantine') || '';

  ctx.main.innerHTML = html`
    <h1>${name}</h1>
    <div class="tabs" role="navigation" aria-label="Project pages">
      <a href="#/projects/${enc(name)}" aria-current="page">Data and runs</a>
      <a href="#/models/${enc(projectInfo.modelName)}">Registry</a>
      <a href="#/models/${enc(projectInfo.modelName)}/monitoring">Monitoring</a>
      <a href="#/models/${enc(projectInfo.modelName)}/predict">Predict</a>
    </div>
    <div class="grid">
      <section class="card" aria-labelledby="spec-h">
        <h2 id="spec-h">Spec v${projectInfo.specVersion}</h2>
        <dl class="kv">
          <dt>Task</dt><dd>${spec.task} on <code>${spec.target}</code></dd>
          <dt>Features</dt><dd>${spec.features ? spec.features.join(', ') : 'all columns'}${spec.ignore?.length ? html` <span class="muted">(ignoring ${spec.ignore.join(', ')})</span>` : ''}</dd>
          <dt>Trainers</dt><dd>${(spec.trainers || []).join(', ')} <span class="muted">(up to ${spec.search?.maxCandidates ?? '?'} candidates)</span></dd>
          <dt>Gate metric</dt><dd>${spec.metric} <span class="muted">(min improvement ${spec.promotion?.minImprovement ?? 0})</span></dd>
          <dt>Retraining</dt><dd>${spec.retrain?.schedule ? html`schedule <code>${spec.retrain.schedule}</code>; ` : ''}drift PSI &gt; ${spec.retrain?.driftThreshold?.psi ?? '?'} or p &lt; ${spec.retrain?.driftThreshold?.ksPValue ?? '?'}; cool-down ${spec.retrain?.cooldownMinutes ?? '?'} min</dd>
        </dl>
        <details><summary>Full spec (JSON)</summary><pre>${JSON.stringify(spec, null, 2)}</pre></details>
      </section>
      <section class="card" aria-labelledby="runs-h" id="runs-section"></section>
    </div>
    <section class="card" aria-labelledby="data-h">
      <h2 id="data-h">Dataset versions</h2>
      ${datasets.versions.length === 0 ? emptyState('No accepted dataset yet: upload a CSV to incoming/' + name + '/.') : html`
      <div class="scroll"><table>
        <thead><tr><th scope="col">Version</th><th scope="col" class="num">Rows</th><th scope="col">Columns</th><th scope="col">sha256</th><th scope="col">Source</th><th scope="col">Registered</th></tr></thead>
        <tbody>${datasets.versions.map(v => html`<tr class="${v.sha256 === selected ? 'selected' : ''}">
          <td><a href="${withParams({ dataset: v.sha256 })}" aria-current="${v.sha256 === selected ? 'true' : 'false'}">v${v.version}</a></td>
          <td class="num">${v.rowCount.toLocaleString('en-US')}</td>
          <td>${v.schema?.columns?.length ?? ''}</td>
          <td class="mono" title="${v.sha256}">${shortSha(v.sha256)}</td>
          <td>${v.source.fileName} <span class="muted">(${v.source.channel})</span></td>
          <td title="${fmtTime(v.registeredAt)}">${fmtAgo(v.registeredAt)}</td></tr>`)}</tbody>
      </table></div>`}
      <div id="profile"></div>
    </section>
    <section class="card" aria-labelledby="q-h">
      <h2 id="q-h">Quarantined uploads</h2>
      ${datasets.quarantined.length === 0 ? emptyState('None: every upload passed validation.') : html`
      <div class="scroll"><table>
        <thead><tr><th scope="col">Upload</th><th scope="col">Reason</th><th scope="col">sha256</th><th scope="col">When</th></tr></thead>
        <tbody>${datasets.quarantined.map(q => html`<tr class="${q.sha256 === quarantine ? 'selected' : ''}">
          <td><a href="${withParams({ quarantine: q.sha256 })}">${q.source.fileName}</a></td>
          <td>${q.reason}</td><td class="mono">${shortSha(q.sha256)}</td><td title="${fmtTime(q.registeredAt)}">${fmtAgo(q.registeredAt)}</td></tr>`)}</tbody>
      </table></div>`}
      <div id="quarantine-report"></div>
    </section>`.text;

  drawRuns(ctx, name, runs);
  if (selected) await drawProfile(ctx, name, datasets.versions.find(v => v.sha256 === selected), selected);
  if (quarantine) await drawQuarantine(ctx, name, quarantine);
  if (anyRunning(runs)) {
    ctx.poll(3000, async () => {
      const fresh = await api(`projects/${enc(name)}/runs?take=30`, { signal });
      drawRuns(ctx, name, fresh);
      return anyRunning(fresh);
    });
  }
}

const anyRunning = runs => runs.runs.some(r => r.status === 'running' || r.status === 'queued');

function drawRuns(ctx, name, runs) {
  const section = ctx.main.querySelector('#runs-section');
  if (!section) return;
  section.innerHTML = html`<h2 id="runs-h">Runs <span class="muted">(${runs.total})</span></h2>
    ${runs.runs.length === 0 ? emptyState('No runs yet: an accepted upload starts one.') : html`
    <div class="scroll"><table>
      <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Data</th><th scope="col">Model</th><th scope="col" class="num">Took</th></tr></thead>
      <tbody>${runs.runs.map(r => html`<tr data-run="${r.runId}">
        <td><a href="#/runs/${enc(r.runId)}" class="mono">${r.runId}</a><br><span class="muted" title="${fmtTime(r.createdAt)}">${fmtAgo(r.createdAt)}</span></td>
        <td>${badge(r.status)}${r.currentStage ? html`<br><span class="muted">stage ${r.currentStage}</span>` : ''}${r.status === 'running' ? html`<div class="progress" aria-label="stages done"><span style="width:${Math.min(100, Math.round(100 * r.stages.filter(s => s.endedAt).length / Math.max(r.stages.length + 1, 9)))}%"></span></div>` : ''}</td>
        <td>${r.trigger}</td>
        <td>${r.lineage.datasetVersion ? html`v${r.lineage.datasetVersion}` : html`<span class="mono">${shortSha(r.lineage.datasetSha256)}</span>`}</td>
        <td>${r.model ? html`<a href="#/models/${enc(r.model.name)}">v${r.model.version}</a>${r.model.promoted ? html` ${badge('promoted', 'ok')}` : ''}` : ''}</td>
        <td class="num">${fmtSeconds(seconds(null, r.startedAt ?? r.createdAt, r.endedAt))}</td></tr>`)}</tbody>
    </table></div>`}`.text;
}

async function drawProfile(ctx, name, version, sha) {
  const target = ctx.main.querySelector('#profile');
  target.innerHTML = html`<p class="loading">Loading the profile…</p>`.text;
  let profile;
  try {
    profile = await api(`projects/${enc(name)}/datasets/${enc(sha)}/profile`, { signal: ctx.abort.signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    target.innerHTML = errorBox(e).text;
    return;
  }
  target.innerHTML = html`<h3>Profile of ${version ? `v${version.version}` : shortSha(sha)}: ${profile.rowCount.toLocaleString('en-US')} rows, ${profile.columns.length} columns</h3>
    <div class="grid">${profile.columns.map((c, i) => html`<div class="card" data-column="${c.name}">
      <h3 style="margin-top:0">${c.name} <span class="muted">${c.kind}</span></h3>
      <p class="muted">${c.count.toLocaleString('en-US')} values, ${c.nulls.toLocaleString('en-US')} missing${c.numeric ? html` · mean ${fmtNum(c.numeric.mean)}, sd ${fmtNum(c.numeric.std)}, ${fmtNum(c.numeric.min)} … ${fmtNum(c.numeric.max)}` : ''}${c.categorical ? html` · ${c.categorical.distinct} distinct` : ''}</p>
      ${c.numeric || c.categorical ? html`<div class="chart" id="hist-${i}"></div>` : emptyState(`No histogram: the profile keeps distributions of numeric and categorical columns, not of ${c.kind} ones.`)}</div>`)}</div>`.text;
  await Promise.all(profile.columns.map((c, i) => {
    const el = target.querySelector(`#hist-${i}`);
    if (c.numeric) return chart(el, numericHistogram(c), `Histogram of ${c.name}`);
    if (c.categorical) return chart(el, categoryBars(c), `Counts of ${c.name}`);
    return null;
  }));
}

// The profile keeps quantile bins (what PSI needs): draw them as a density histogram, bar area = share of rows.
function numericHistogram(c) {
  const { binEdges: edges, binFractions: fractions, min, max } = c.numeric;
  const bounds = [min, ...edges, max];
  const rows = fractions.map((f, i) => {
    const lo = bounds[i], hi = Math.max(bounds[i + 1], lo);
    const width = hi - lo;
    return { lo, hi, share: f, density: width > 0 ? f / width : 0 };
  }).filter(r => r.hi > r.lo || r.share > 0);
  return {
    height: 110,
    data: { values: rows },
    mark: { type: 'rect', color: '#4c78a8', stroke: '#fff', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } },
      x2: { field: 'hi' },
      y: { field: 'density', type: 'quantitative', title: 'density', axis: { labels: false, ticks: false } },
      tooltip: [{ field: 'lo', title: 'from', format: '.4~g' }, { field: 'hi', title: 'to', format: '.4~g' }, { field: 'share', title: 'share', format: '.1%' }],
    },
  };
}

function categoryBars(c) {
  const values = Object.entries(c.categorical.topCounts).map(([value, count]) => ({ value, count }));
  if (c.categorical.otherCount > 0) values.push({ value: '(other)', count: c.categorical.otherCount });
  return {
    height: Math.min(160, 18 * values.length + 10),
    data: { values },
    mark: { type: 'bar', color: '#72b7b2' },
    encoding: {
      y: { field: 'value', type: 'nominal', sort: '-x', title: null },
      x: { field: 'count', type: 'quantitative', title: 'rows' },
      tooltip: [{ field: 'value' }, { field: 'count' }],
    },
  };
}

async function drawQuarantine(ctx, name, sha) {
  const target = ctx.main.querySelector('#quarantine-report');
  target.innerHTML = html`<p class="loading">Loading the report…</p>`.text;
  const found = await apiOrNull(`projects/${enc(name)}/quarantine/${enc(sha)}`, { signal: ctx.abort.signal }).catch(e => e);
  if (found instanceof Error) { target.innerHTML = errorBox(found).text; return; }
  if (!found) { target.innerHTML = html`<div class="error" role="alert">No quarantined upload ${shortSha(sha)} in ${name}.</div>`.text; return; }
  const { upload, report } = found;
  target.innerHTML = html`<div class="card" id="quarantine-detail" aria-labelledby="qr-h">
    <h3 id="qr-h" style="margin-top:0">Validation report: ${upload.source.fileName} ${badge(report.verdict, report.verdict === 'rejected' ? 'failed' : 'ok')}</h3>
    <p class="muted">${report.format}, ${Number(report.bytes).toLocaleString('en-US')} bytes, ${Number(report.rowCount).toLocaleString('en-US')} rows, ${report.columnCount} columns · kept at <code>${upload.data.container}/${upload.data.path}</code></p>
    <div class="scroll"><table>
      <thead><tr><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Column</th><th scope="col" class="num">Count</th><th scope="col">First rows</th><th scope="col">Message</th></tr></thead>
      <tbody>${(report.failures || []).map(f => html`<tr><td><code>${f.rule}</code></td><td>${badge(f.severity, f.severity === 'error' ? 'failed' : 'queued')}</td>
        <td>${f.column ?? html`<span class="muted">file</span>`}</td><td class="num">${f.count}</td><td>${(f.firstRows || []).join(', ')}</td><td>${f.message}</td></tr>`)}</tbody>
    </table></div></div>`.text;
}
