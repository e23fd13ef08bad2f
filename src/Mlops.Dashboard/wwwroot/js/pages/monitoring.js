// #/models/{name}/monitoring?feature=F : drift statistics per feature over time (PSI, KS) with the project's
// thresholds drawn, live quality windows from feedback, and retraining runs marked on the charts.
import { api, apiOrNull, html, badge, chart, fmtAgo, fmtTime, fmtNum, enc, emptyState } from '../util.js';
import { withParams } from '../app.js';

export async function render(ctx) {
  const [name] = ctx.args;
  const signal = ctx.abort.signal;
  ctx.setCrumbs([{ label: 'Projects', href: '#/' }, { label: name, href: `#/projects/${enc(name)}` }, { label: 'monitoring' }]);
  const [monitoring, project, runs] = await Promise.all([
    api(`models/${enc(name)}/monitoring?reports=50&windows=100`, { signal }),
    apiOrNull(`projects/${enc(name)}`, { signal }),
    apiOrNull(`projects/${enc(name)}/runs?take=100`, { signal }),
  ]);
  const thresholds = project?.spec?.retrain?.driftThreshold ?? {};
  const reports = [...monitoring.driftReports].reverse(); // oldest first for the charts
  const features = [...new Set(reports.flatMap(r => r.features.map(f => f.name)))].sort();
  const feature = ctx.params.get('feature') || '';
  const shown = feature && features.includes(feature) ? [feature] : features;
  const retrains = (runs?.runs ?? []).filter(r => r.trigger === 'drift' || r.trigger === 'quality' || r.trigger === 'schedule')
    .map(r => ({ at: r.createdAt, label: `${r.trigger} retrain`, runId: r.runId }));
  const points = reports.flatMap(r => r.features.filter(f => shown.includes(f.name)).map(f => ({
    // p-values of large windows underflow to 0: floor them so the log scale can draw them (the table shows the value).
    at: r.summary.windowEnd, feature: f.name, psi: f.psi ?? null, ksD: f.ksStatistic ?? null,
    pValue: (f.ksPValue ?? f.chiSquarePValue) === undefined || (f.ksPValue ?? f.chiSquarePValue) === null ? null : Math.max(f.ksPValue ?? f.chiSquarePValue, 1e-12),
    verdict: f.verdict, n: f.currentN,
  })));
  const windows = [...monitoring.qualityWindows].reverse();
  const latest = monitoring.driftReports[0];

  ctx.main.innerHTML = html`
    <h1>${name} <span class="muted">monitoring</span></h1>
    <div class="tabs" role="navigation" aria-label="Project pages">
      <a href="#/projects/${enc(name)}">Data and runs</a><a href="#/models/${enc(name)}">Registry</a>
      <a href="#/models/${enc(name)}/monitoring" aria-current="page">Monitoring</a><a href="#/models/${enc(name)}/predict">Predict</a></div>
    <div class="grid">
      <section class="card" aria-labelledby="now-h">
        <h2 id="now-h">Now</h2>
        <dl class="kv">
          <dt>Production</dt><dd>${monitoring.productionVersion ? html`<a href="#/models/${enc(name)}?version=${monitoring.productionVersion}">v${monitoring.productionVersion}</a>` : 'none'}</dd>
          <dt>Latest drift check</dt><dd>${latest ? html`${badge(latest.verdict)} ${latest.summary.sampleSize.toLocaleString('en-US')} rows vs ${latest.referenceRows.toLocaleString('en-US')} reference, ${fmtAgo(latest.summary.createdAt)}${latest.summary.driftedFeatures?.length ? html`<br>drifted: ${latest.summary.driftedFeatures.join(', ')}` : ''}` : html`<span class="muted">none yet</span>`}</dd>
          <dt>Thresholds</dt><dd>PSI &gt; ${thresholds.psi ?? '?'}; p-value &lt; ${thresholds.ksPValue ?? '?'} <span class="muted">(from the project spec)</span></dd>
          <dt>Retrainings</dt><dd>${retrains.length ? retrains.map(r => html`<a href="#/runs/${enc(r.runId)}">${r.label}</a> <span class="muted">${fmtAgo(r.at)}</span><br>`) : html`<span class="muted">none</span>`}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="checks-h">
        <h2 id="checks-h">Latest checks</h2>
        ${monitoring.checks.length === 0 ? emptyState('No check has run yet.') : html`<table><tbody>${monitoring.checks.map(c => html`<tr><td>${c.check}</td><td>${badge(c.outcome)}</td><td>${c.reason}<br><span class="muted">${fmtTime(c.at)}</span></td></tr>`)}</tbody></table>`}
      </section>
    </div>
    <section class="card" aria-labelledby="drift-h">
      <h2 id="drift-h">Drift over time</h2>
      ${reports.length === 0 ? emptyState('No drift report yet: the drift timer writes one once the production model has logged enough predictions.') : html`
      <div class="tabs" role="group" aria-label="Feature">
        <a href="${withParams({ feature: '' })}" aria-current="${feature ? 'false' : 'page'}">all features</a>
        ${features.map(f => html`<a href="${withParams({ feature: f })}" aria-current="${f === feature ? 'page' : 'false'}">${f}</a>`)}
      </div>
      <p class="muted">One line per feature, a point per drift report; red: the project's threshold; brown, dashed: a retraining run started.</p>
      <div class="grid">
        <div><h3>PSI (threshold ${thresholds.psi ?? '?'})</h3><div class="chart" id="psi-chart"></div></div>
        <div><h3>Test p-value, KS or chi-square (threshold ${thresholds.ksPValue ?? '?'})</h3><div class="chart" id="p-chart"></div></div>
      </div>
      <h3>Latest report, per feature</h3>
      <div class="scroll"><table id="drift-features"><thead><tr><th scope="col">Feature</th><th scope="col">Kind</th><th scope="col">Verdict</th><th scope="col" class="num">PSI</th><th scope="col" class="num">KS D</th><th scope="col" class="num">p-value</th><th scope="col" class="num">n (current / reference)</th><th scope="col">Reason</th></tr></thead>
        <tbody>${latest.features.map(f => html`<tr><td>${f.name}</td><td>${f.kind}</td><td>${badge(f.verdict)}</td><td class="num">${fmtNum(f.psi)}</td><td class="num">${fmtNum(f.ksStatistic)}</td>
          <td class="num">${fmtNum(f.ksPValue ?? f.chiSquarePValue)}</td><td class="num">${f.currentN} / ${f.referenceN}</td><td>${f.reason}</td></tr>`)}</tbody></table></div>`}
    </section>
    <section class="card" aria-labelledby="q-h">
      <h2 id="q-h">Live quality from feedback</h2>
      ${windows.length === 0 ? emptyState('No quality window yet: post ground truth to /api/models/' + name + '/feedback.') : html`
      <p class="muted">Live ${windows[windows.length - 1].report.metric} per window (points), the holdout value at registration (green, dashed), the level that counts as a drop (red), retraining runs (brown, dashed).</p>
      <div class="chart" id="quality-chart"></div>`}
    </section>`.text;

  const rules = retrains.map(r => ({ at: r.at, label: r.label }));
  const retrainLayer = rules.length ? [{
    data: { values: rules },
    mark: { type: 'rule', strokeDash: [4, 3], color: '#9d755d' },
    encoding: { x: { field: 'at', type: 'temporal' }, tooltip: [{ field: 'label' }, { field: 'at', type: 'temporal', format: '%Y-%m-%d %H:%M' }] },
  }] : [];
  const threshold = (value, color) => (value === undefined ? [] : [{
    data: { values: [{ y: value }] }, mark: { type: 'rule', color, strokeWidth: 1.5 }, encoding: { y: { field: 'y', type: 'quantitative' } },
  }]);
  const line = (field, title, extra = {}) => ({
    data: { values: points.filter(p => p[field] !== null) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'at', type: 'temporal', title: 'window end', axis: { format: '%H:%M:%S', labelOverlap: true } },
      y: { field, type: 'quantitative', title, ...extra },
      color: { field: 'feature', type: 'nominal' },
      tooltip: [{ field: 'feature' }, { field: 'at', type: 'temporal', format: '%Y-%m-%d %H:%M' }, { field, format: '.4g' }, { field: 'n', title: 'rows' }, { field: 'verdict' }],
    },
  });
  const charts = [];
  if (reports.length) {
    charts.push(chart(ctx.main.querySelector('#psi-chart'), { height: 200, layer: [line('psi', 'PSI'), ...threshold(thresholds.psi, '#e45756'), ...retrainLayer] }, 'PSI per feature over time'));
    charts.push(chart(ctx.main.querySelector('#p-chart'), { height: 200, layer: [line('pValue', 'p-value (floored at 1e-12)', { scale: { type: 'log', domain: [1e-12, 1] } }), ...threshold(thresholds.ksPValue, '#e45756'), ...retrainLayer] }, 'p-value per feature over time'));
  }
  if (windows.length) {
    const q = windows.map(w => ({ at: w.windowEnd, value: w.report.value, holdout: w.report.holdoutValue, drop: w.report.drop, threshold: w.report.threshold, n: w.joinedRows, verdict: w.report.verdict, metric: w.report.metric }));
    // The alert level: the holdout value worsened by the allowed drop (drop = how much worse, so its sign against
    // holdout − value says whether the metric is higher-is-better).
    const sample = q.find(x => typeof x.value === 'number' && typeof x.drop === 'number' && x.drop !== 0);
    const higherIsBetter = sample ? Math.sign(sample.holdout - sample.value) === Math.sign(sample.drop) : true;
    const alert = q.length ? q[q.length - 1].holdout + (higherIsBetter ? -1 : 1) * q[q.length - 1].threshold : null;
    charts.push(chart(ctx.main.querySelector('#quality-chart'), {
      height: 200,
      layer: [
        { data: { values: q.filter(x => x.value !== null && x.value !== undefined) }, mark: { type: 'line', point: true }, encoding: {
          x: { field: 'at', type: 'temporal', title: 'window end', axis: { format: '%H:%M:%S', labelOverlap: true } }, y: { field: 'value', type: 'quantitative', title: q[0].metric, scale: { zero: false } },
          tooltip: [{ field: 'at', type: 'temporal', format: '%Y-%m-%d %H:%M' }, { field: 'value', format: '.4f' }, { field: 'holdout', format: '.4f' }, { field: 'n', title: 'pairs' }, { field: 'verdict' }] } },
        { data: { values: q }, mark: { type: 'line', strokeDash: [2, 2], color: '#54a24b' }, encoding: { x: { field: 'at', type: 'temporal' }, y: { field: 'holdout', type: 'quantitative' } } },
        ...(alert === null ? [] : [{ data: { values: [{ y: alert }] }, mark: { type: 'rule', color: '#e45756', strokeWidth: 1.5 }, encoding: { y: { field: 'y', type: 'quantitative' } } }]),
        ...retrainLayer,
      ],
    }, 'Live quality over time against the holdout value'));
  }
  await Promise.all(charts);
}
