// #/runs/{runId}?metric=M&sort=K&dir=asc|desc : stage timeline, candidates, comparison chart, lineage; live while running.
import { api, html, Safe, badge, chart, fmtAgo, fmtTime, fmtNum, fmtSeconds, seconds, shortSha, enc, sortableTable, emptyState } from '../util.js';
import { withParams } from '../app.js';

const live = s => s === 'Running' || s === 'Pending' || s === 'ContinuedAsNew';

export async function render(ctx) {
  const [runId] = ctx.args;
  const signal = ctx.abort.signal;
  let data = await api(`runs/${enc(runId)}`, { signal });
  ctx.setCrumbs([{ label: 'Projects', href: '#/' }, { label: data.run.project, href: `#/projects/${enc(data.run.project)}` }, { label: `run ${runId}` }]);
  await draw(ctx, data);
  if (live(data.runtimeStatus) || data.run.status === 'running' || data.run.status === 'queued') {
    ctx.poll(2000, async () => {
      data = await api(`runs/${enc(runId)}`, { signal });
      await draw(ctx, data);
      return live(data.runtimeStatus) || data.run.status === 'running' || data.run.status === 'queued';
    });
  }
}

async function draw(ctx, data) {
  const { run, runtimeStatus, progress } = data;
  const candidates = run.candidates || [];
  const metricNames = [...new Set(candidates.flatMap(c => Object.keys(c.metrics || {})))].sort();
  // Default: the metric the promotion gate compares (the run logs it as a param).
  const gateMetric = metricNames.includes(run.params?.metric) ? run.params.metric : metricNames[0];
  const chosen = metricNames.includes(ctx.params.get('metric')) ? ctx.params.get('metric') : gateMetric;
  const sort = ctx.params.get('sort') || chosen || 'candidateId';
  const dir = ctx.params.get('dir') || 'desc';
  const stages = (run.stages || []).map(s => ({ ...s, secs: seconds(s.duration, s.startedAt, s.endedAt) }));
  const total = seconds(null, run.startedAt ?? run.createdAt, run.endedAt);
  const lineage = run.lineage || {};

  ctx.main.innerHTML = html`
    <h1>Run <span class="mono">${run.runId}</span> ${badge(run.status)} ${runtimeStatus && runtimeStatus.toLowerCase() !== run.status ? badge(runtimeStatus) : ''}</h1>
    ${run.error ? html`<div class="error" role="alert"><strong>The run failed</strong>${run.error}</div>` : ''}
    ${progress && live(runtimeStatus) ? html`<div class="card" id="live-progress" aria-live="polite"><strong>Now:</strong> ${progress.stage ?? ''} ${progress.steps ? html`(${progress.step} of ${progress.steps})` : ''} <span class="muted">${progress.detail ?? ''}</span>
      ${progress.steps ? html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="${progress.steps}" aria-valuenow="${progress.step}"><span style="width:${Math.round(100 * progress.step / progress.steps)}%"></span></div>` : ''}</div>` : ''}
    <div class="grid">
      <div>
      <section class="card" aria-labelledby="lin-h">
        <h2 id="lin-h">Lineage</h2>
        <dl class="kv">
          <dt>Project</dt><dd><a href="#/projects/${enc(run.project)}">${run.project}</a> · spec v${lineage.specVersion}</dd>
          <dt>Dataset</dt><dd>${lineage.datasetVersion ? html`<a href="#/projects/${enc(run.project)}?dataset=${enc(lineage.datasetSha256)}">v${lineage.datasetVersion}</a> ` : ''}<span class="mono" data-testid="dataset-sha">${lineage.datasetSha256}</span></dd>
          <dt>Code</dt><dd class="mono" data-testid="code-version">${lineage.codeVersion ?? 'unknown'}</dd>
          <dt>Trigger</dt><dd>${lineage.trigger}${lineage.triggerReference ? html` <span class="muted mono">${lineage.triggerReference}</span>` : ''}</dd>
          <dt>Started</dt><dd>${fmtTime(run.startedAt ?? run.createdAt)} <span class="muted">(${fmtAgo(run.createdAt)})</span></dd>
          <dt>Took</dt><dd>${fmtSeconds(total)}${run.endedAt ? '' : ' so far'}</dd>
          <dt>Model</dt><dd>${run.model ? html`<a href="#/models/${enc(run.model.name)}?version=${run.model.version}">${run.model.name} v${run.model.version}</a> ${run.model.promoted ? badge('promoted to production', 'ok') : badge('not promoted')}` : html`<span class="muted">none registered${run.endedAt ? '' : ' yet'}</span>`}</dd>
          ${lineage.packageVersions && Object.keys(lineage.packageVersions).length ? html`<dt>Packages</dt><dd class="mono">${Object.entries(lineage.packageVersions).map(([k, v]) => `${k} ${v}`).join(', ')}</dd>` : ''}
        </dl>
      </section>
    <section class="card" aria-labelledby="cand-h">
      <h2 id="cand-h">Candidates <span class="muted">(${candidates.length})</span></h2>
      ${candidates.length === 0 ? emptyState('No candidate trained yet.') : html`
      <div class="row" style="align-items:center;margin-bottom:8px">
        <label>Compare by <select id="metric-select">${metricNames.map(m => html`<option value="${m}" ${m === chosen ? new Safe('selected') : ''}>${m}</option>`)}</select></label>
        <span class="muted">best: <strong>${run.bestCandidateId ?? '—'}</strong></span>
      </div>
      <div class="chart" id="compare"></div>
      ${sortableTable({
        id: 'candidates-table',
        columns: [
          { key: 'candidateId', label: 'Candidate', render: c => html`${c.candidateId}${c.candidateId === run.bestCandidateId ? html` ${badge('best', 'ok')}` : ''}` },
          { key: 'trainer', label: 'Trainer', render: c => c.trainer },
          ...metricNames.map(m => ({ key: m, label: m, num: true, value: c => c.metrics?.[m] })),
          { key: 'trainingSeconds', label: 'Train s', num: true, value: c => c.trainingSeconds },
          { key: 'params', label: 'Params', render: c => html`<span class="mono">${Object.entries(c.params || {}).map(([k, v]) => `${k}=${v}`).join(' ')}</span>`, value: c => JSON.stringify(c.params) },
        ],
        rows: candidates, sort, dir,
        onSortHref: (key, next) => withParams({ sort: key, dir: next }),
        rowClass: c => (c.candidateId === run.bestCandidateId ? 'selected' : ''),
      })}`}
    </section>
      </div>
      <section class="card" aria-labelledby="st-h">
        <h2 id="st-h">Stages</h2>
        ${stages.length === 0 ? emptyState('No stage has started yet.') : html`
        <div class="chart" id="timeline"></div>
        <table id="stages">
          <thead><tr><th scope="col">Stage</th><th scope="col">Status</th><th scope="col" class="num">Duration</th><th scope="col">Detail</th></tr></thead>
          <tbody>${stages.map(s => html`<tr data-stage="${s.name}"><td>${s.name}</td><td>${badge(s.status)}</td><td class="num">${fmtSeconds(s.secs)}${s.endedAt ? '' : '…'}</td><td>${s.error ? html`<span style="color:var(--bad)">${s.error}</span>` : s.detail ?? ''}</td></tr>`)}</tbody>
        </table>`}
      </section>
    </div>
`.text;

  const select = ctx.main.querySelector('#metric-select');
  select?.addEventListener('change', () => { window.location.hash = withParams({ metric: select.value }); });

  const charts = [];
  if (stages.length) {
    const t0 = Math.min(...stages.map(s => new Date(s.startedAt).getTime()));
    charts.push(chart(ctx.main.querySelector('#timeline'), {
      height: Math.max(60, 16 * stages.length),
      data: { values: stages.map(s => ({ stage: s.name, status: s.status, from: (new Date(s.startedAt).getTime() - t0) / 1000, to: (new Date(s.startedAt).getTime() - t0) / 1000 + (s.secs ?? 0), secs: s.secs })) },
      mark: { type: 'bar', cornerRadius: 2 },
      encoding: {
        y: { field: 'stage', type: 'nominal', sort: null, title: null },
        x: { field: 'from', type: 'quantitative', title: 'seconds since the first stage' },
        x2: { field: 'to' },
        color: { field: 'status', type: 'nominal', scale: { domain: ['succeeded', 'running', 'failed', 'queued'], range: ['#54a24b', '#4c78a8', '#e45756', '#bab0ac'] }, legend: null },
        tooltip: [{ field: 'stage' }, { field: 'status' }, { field: 'secs', title: 'seconds', format: '.2f' }],
      },
    }, 'Stage timeline'));
  }
  if (candidates.length && chosen) {
    charts.push(chart(ctx.main.querySelector('#compare'), {
      height: Math.max(60, 22 * candidates.length),
      data: { values: candidates.filter(c => typeof c.metrics?.[chosen] === 'number').map(c => ({ candidate: c.candidateId, trainer: c.trainer, value: c.metrics[chosen], best: c.candidateId === run.bestCandidateId })) },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'candidate', type: 'nominal', sort: '-x', title: null },
        x: { field: 'value', type: 'quantitative', title: chosen },
        color: { field: 'trainer', type: 'nominal' },
        strokeWidth: { condition: { test: 'datum.best', value: 2 }, value: 0 },
        stroke: { value: '#1d2430' },
        tooltip: [{ field: 'candidate' }, { field: 'trainer' }, { field: 'value', title: chosen, format: '.4f' }],
      },
    }, `Candidates compared by ${chosen}`));
  }
  await Promise.all(charts);
}

