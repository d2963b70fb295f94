// Opens each kind of funnelsim HTML report (run, compare, sweep, sensitivity, observed, an observed
// funnel beside a run, and a calibration)
// in Debian's Chromium through playwright-core and checks that a person would see
// charts: vega-embed finished every chart without error, every chart container holds an SVG with
// data marks and a visible size, the console stayed free of errors and warnings, the page asked
// the network for nothing, and nothing is wider than the window. Saves a full-page screenshot of
// each report. Usage (ctest runs it so):
//   node tests/browser/check_report.mjs FUNNELSIM SOURCE_DIR OUTPUT_DIR
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [funnelsim, sourceDir, outputDir] = process.argv.slice(2).map((p) => p && resolve(p));
if (!funnelsim || !sourceDir || !outputDir) {
  console.error('usage: node check_report.mjs FUNNELSIM SOURCE_DIR OUTPUT_DIR');
  process.exit(2);
}
const executablePath = process.env.FUNNELSIM_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`${executablePath} not found: run tools/setup.sh (it installs Debian's chromium)`);
  process.exit(1);
}

const results = join(outputDir, 'results');
const reports = join(outputDir, 'reports');
const screenshots = join(outputDir, 'screenshots');
for (const dir of [results, reports, screenshots]) mkdirSync(dir, { recursive: true });

// Small runs: the check is about drawing, not statistics.
const scenario = (name) => join(sourceDir, 'scenarios', name);
const sim = (...args) => execFileSync(funnelsim, [...args, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
sim('run', scenario('saas_baseline.json'), '--replications', '40', '--out', join(results, 'run'),
    '--report', join(reports, 'run.html'));
sim('run', scenario('uncertain_rates.json'), '--replications', '30', '--precision', 'mqls=50%',
    '--report', join(reports, 'run_uncertain.html'));
sim('compare', scenario('saas_baseline.json'), scenario('threshold_raise.json'), scenario('budget_shift.json'),
    '--replications', '30', '--out', join(results, 'compare'));
sim('report', join(results, 'compare'), '--out', join(reports, 'compare.html'));
sim('sweep', scenario('saas_baseline.json'), '--param', '/scoring/mql_threshold=55:85:10',
    '--param', '/scoring/decay/model=none,half_life', '--objective',
    'maximize sqls subject to mql_to_sql_rate >= 0.14', '--pareto', 'mql_precision,mql_recall',
    '--replications', '20', '--report', join(reports, 'sweep.html'));
sim('sensitivity', scenario('uncertain_rates.json'), '--metric', 'sqls', '--replications', '20', '--params',
    '/scoring/mql_threshold,/sales/teams/0/headcount,/sources/1/leads_per_week,/sources/0/cost_per_lead,' +
      '/sales_acceptance/midpoint',
    '--report', join(reports, 'sensitivity.html'));
// A CRM export read back by observe, alone and beside the run.
sim('export-crm', scenario('saas_baseline.json'), '--format', 'hubspot', '--messy', '--out', join(results, 'crm'));
sim('observe', join(results, 'crm'), '--mapping', join(results, 'crm', 'mapping.json'), '--from', '2025-01-06',
    '--to', '2025-04-05', '--out', join(results, 'observed'), '--report', join(reports, 'observed.html'));
sim('report', join(results, 'observed'), join(results, 'run'), '--out', join(reports, 'observed_beside_run.html'));
// A calibration of a six-week export (small: the check is about drawing), its report from calibrate --report.
const sixWeeks = ['--set', '/horizon_days=42', '--set', '/warmup_days=0'];
sim('export-crm', scenario('saas_baseline.json'), ...sixWeeks, '--format', 'hubspot', '--out', join(results, 'crm6'));
sim('calibrate', scenario('saas_baseline.json'), ...sixWeeks, '--observed', join(results, 'crm6'), '--free',
    '/sales_acceptance/midpoint', '--replications', '4', '--out', join(results, 'calibration'),
    '--report', join(reports, 'calibration.html'));

// What each report must hold at least: chart count and a few words a reader looks for.
const expectations = {
  run: { charts: 11, texts: ['The funnel: how many leads reach each step', 'MQLs per week', 'By source',
                             'pooled ratio', 'no won deals in', 'of opportunities closed in the horizon', 'per $1'] },
  run_uncertain: { charts: 12, texts: ['Where the spread comes from', 'Not knowing the inputs',
                                       '/sales_acceptance/midpoint', 'chosen by'] },
  // One forest chart for both variants on one scale, then the weekly series side by side.
  compare: { charts: 4, texts: ['Every variant vs saas_baseline', 'threshold_raise vs saas_baseline',
                                'budget_shift vs saas_baseline', 'the sales desk, by team',
                                'Week by week, side by side', 'Rep utilisation'] },
  sweep: { charts: 9, texts: ['Trade-off: MQL precision against MQL recall', 'best point',
                              'MQL threshold (points)'] },
  sensitivity: { charts: 1, texts: ['What moves SQLs most', 'MQL threshold (points)', 'Parameters left out',
                                     'Input uncertainty'] },
  observed: { charts: 3, texts: ['The funnel the export records', 'Lead to MQL so far, by creation week',
                                 'duplicate_contacts', 'poisson_exact'] },
  // Three moments by source, then the weekly leads, MQLs and SQLs: whole funnel and by source; then
  // the distributions of days to MQL and response hours, the whole funnel's at least.
  calibration: { charts: 11, texts: ['Calibration: the scenario fitted to the export', '/sales_acceptance/midpoint',
                                     'Hansen\'s J', 'Lead to MQL rate by source', 'Leads per week, whole funnel',
                                     'Observed weeks inside the simulated P5 to P95',
                                     'Distributions: time to MQL and response time'] },
  observed_beside_run: { charts: 17, texts: ['Observed beside simulated', 'Observed inside the simulated P5 to P95',
                                             'The funnel: how many leads reach each step'] },
};

const userDataDir = mkdtempSync(join(tmpdir(), 'funnelsim-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  offline: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let passed = 0, failed = 0;
try {
  for (const [kind, expected] of Object.entries(expectations)) {
    const problems = [];
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(file|data|blob|about):/.test(r.url())) problems.push(`network request: ${r.url()}`);
    });
    const file = join(reports, `${kind}.html`);
    await page.goto(pathToFileURL(file).href);
    try {
      await page.waitForFunction(() => window.funnelsimReport && window.funnelsimReport.done, null, { timeout: 30000 });
    } catch {
      problems.push('vega-embed did not finish within 30 s');
    }
    const state = await page.evaluate(() => {
      const charts = [...document.querySelectorAll('.chart')].map((el) => {
        const svg = el.querySelector('svg');
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        const marks = svg ? [...svg.querySelectorAll('g.role-mark')].reduce((n, g) => n + g.childElementCount, 0) : 0;
        return { id: el.id, label: el.getAttribute('aria-label'), svg: !!svg, marks, width: box.width, height: box.height };
      });
      return { status: window.funnelsimReport || null, charts, text: document.body.innerText,
               overflow: document.documentElement.scrollWidth - window.innerWidth };
    });
    const status = state.status || { errors: ['no window.funnelsimReport'], rendered: 0, charts: 0 };
    for (const e of status.errors) problems.push(`vega-embed: ${e}`);
    if (state.charts.length < expected.charts)
      problems.push(`expected at least ${expected.charts} charts, found ${state.charts.length}`);
    if (status.rendered !== state.charts.length)
      problems.push(`vega-embed drew ${status.rendered} of ${state.charts.length} charts`);
    for (const c of state.charts) {
      if (!c.svg) problems.push(`${c.id} (${c.label}): no SVG`);
      else if (c.marks === 0) problems.push(`${c.id} (${c.label}): an SVG without data marks`);
      else if (c.width < 200 || c.height < 80)
        problems.push(`${c.id} (${c.label}): drawn too small (${c.width} x ${c.height} px)`);
    }
    for (const t of expected.texts) if (!state.text.includes(t)) problems.push(`text "${t}" not on the page`);
    if (state.overflow > 0) problems.push(`the page is ${state.overflow} px wider than the window`);
    const shot = join(screenshots, `${kind}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    await page.close();
    if (problems.length === 0) {
      passed += 1;
      console.log(`ok ${kind}: ${state.charts.length} charts drawn, no console errors, no network; ${shot}`);
    } else {
      failed += 1;
      console.log(`FAILED ${kind} (${file}):\n  ${problems.join('\n  ')}\n  screenshot: ${shot}`);
    }
  }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
