// funnelsim serve in Debian's Chromium through playwright-core: the explore view redraws when the
// threshold slider moves; a workshop with a facilitator and three team pages runs end to end
// (join, submit, leaderboard, debrief chart, reveal); no console errors, no request leaves the
// server, a team name made of HTML stays text; SIGTERM stops the server with its session saved.
// Screenshots land in OUTPUT_DIR/screenshots. Usage (ctest runs it so):
//   node tests/browser/check_serve.mjs FUNNELSIM SOURCE_DIR OUTPUT_DIR
// FUNNELSIM_SERVE_DEMO=1 plays it at 200 replications with three plain team names, for the
// README's screenshot (docs/images/serve_workshop.png).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [funnelsim, sourceDir, outputDir] = process.argv.slice(2).map((p) => p && resolve(p));
if (!funnelsim || !sourceDir || !outputDir) {
  console.error('usage: node check_serve.mjs FUNNELSIM SOURCE_DIR OUTPUT_DIR');
  process.exit(2);
}
const executablePath = process.env.FUNNELSIM_CHROMIUM || '/usr/bin/chromium';
const screenshots = join(outputDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const demo = process.env.FUNNELSIM_SERVE_DEMO === '1';
const replications = demo ? '200' : '20';
const state = mkdtempSync(join(tmpdir(), 'funnelsim-serve-'));

// Small runs: the check is about the pages, not statistics.
const server = spawn(funnelsim, ['serve', join(sourceDir, 'scenarios', 'saas_baseline.json'), '--port', '0',
  '--replications', replications, '--state', state, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/funnelsim serve: (http:\/\/\S+\/)/);
    if (m) ok(m[1]);
  });
  server.on('exit', (code) => fail(new Error(`funnelsim serve exited with ${code} before listening`)));
  setTimeout(() => fail(new Error('funnelsim serve did not print its address within 120 s')), 120000);
});
const origin = new URL(base).origin;
console.log(`serving at ${base} after ${(performance.now() / 1000).toFixed(1)} s`);

const problems = [];
const userDataDir = mkdtempSync(join(tmpdir(), 'funnelsim-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath, headless: true, viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const watch = (page, name) => {
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${name}: console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin)) problems.push(`${name}: network request: ${r.url()}`); });
  return page;
};
const marks = (page, selector) => page.evaluate((sel) => {
  const svg = document.querySelector(`${sel} svg`);
  return svg ? [...svg.querySelectorAll('g.role-mark')].reduce((n, g) => n + g.childElementCount, 0) : 0;
}, selector);
const shot = async (page, name) => {
  const file = join(screenshots, `serve_${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
};
const step = async (name, body) => {
  const t0 = Date.now();
  try { await body(); console.log(`ok ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`); } catch (e) { problems.push(`${name}: ${e.message}`); console.log(`FAILED ${name}: ${e.message}`); }
};
const sqlRow = (page) => page.locator('tr[data-metric="sqls"] td').nth(1).textContent();

try {
  await step('explore: the threshold slider reruns and redraws', async () => {
    const page = watch(await context.newPage(), 'explore');
    await page.goto(`${base}#/explore`);
    await page.waitForFunction(() => window.funnelsimPage.runs >= 1, null, { timeout: 90000 });
    const before = { sqls: await sqlRow(page), mqls: await page.locator('tr[data-metric="mqls"] td').nth(1).textContent(),
                     funnel: await marks(page, '#funnel-chart') };
    if (before.funnel === 0) throw new Error('the funnel chart has no marks');
    await page.locator('input[data-lever="threshold"]').evaluate((input) => {
      input.value = '85';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => window.funnelsimPage.runs >= 2, null, { timeout: 90000 });
    const after = { mqls: await page.locator('tr[data-metric="mqls"] td').nth(1).textContent(),
                    change: await page.locator('tr[data-metric="mqls"] td').nth(3).textContent(),
                    verdictClass: await page.locator('tr[data-metric="mqls"] td').nth(3).getAttribute('class'),
                    changeMarks: await marks(page, '#change-chart') };
    if (after.mqls === before.mqls) throw new Error(`MQLs did not change (${before.mqls})`);
    if (!/95% CI/.test(after.change)) throw new Error(`no paired change shown: ${after.change}`);
    if (after.changeMarks === 0) throw new Error('the change chart has no marks');
    if (await page.locator('output[for="lever-threshold"]').textContent() !== '85') throw new Error('the slider label did not follow');
    console.log(`  MQLs ${before.mqls} -> ${after.mqls}; change ${after.change} (${after.verdictClass})`);
    await shot(page, 'explore');
    await page.close();
  });

  await step('workshop: facilitator, three teams, leaderboard, debrief, reveal', async () => {
    const facilitator = watch(await context.newPage(), 'facilitator');
    await facilitator.goto(`${base}#/facilitate`);
    await facilitator.fill('#ws-title', 'Funnel workshop');
    await facilitator.fill('#ws-objective', 'maximize sqls subject to sla_attainment >= 0.5');
    await facilitator.selectOption('#ws-replications', replications);
    await facilitator.click('#ws-create');
    await facilitator.waitForSelector('#join-code', { timeout: 30000 });
    const code = (await facilitator.textContent('#join-code')).trim();
    const joinUrl = (await facilitator.textContent('#join-url')).trim();
    if (joinUrl !== `${origin}/j/${code}`) throw new Error(`short URL ${joinUrl}`);
    const teams = [['North', '55'], ['South', '80'],
                   [demo ? 'East' : '<img src=x onerror="window.__xss=1">', demo ? '70' : '65']];
    const pages = [];
    for (const [name, threshold] of teams) {
      const page = watch(await context.newPage(), `team ${name}`);
      await page.goto(joinUrl);
      await page.waitForSelector('#team-name');
      if ((await page.inputValue('#join-code-input')) !== code) throw new Error('the short URL did not fill in the code');
      await page.fill('#team-name', name);
      await page.click('#join');
      await page.waitForSelector('#submit-plan');
      await page.locator('input[data-lever="threshold"]').evaluate((input, v) => {
        input.value = v;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, threshold);
      pages.push(page);
    }
    await Promise.all(pages.map((p) => p.click('#submit-plan')));
    for (const page of pages) await page.waitForFunction(() => window.funnelsimPage.runs >= 1, null, { timeout: 120000 });
    await pages[0].waitForFunction(() => document.querySelectorAll('#team-board tbody tr').length === 3, null, { timeout: 10000 });
    await shot(pages[0], 'team');
    await facilitator.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr').length === 3, null, { timeout: 10000 });
    await facilitator.waitForFunction(() => document.querySelector('#debrief-chart svg'), null, { timeout: 10000 });
    if ((await marks(facilitator, '#debrief-chart')) < 3) throw new Error('the debrief chart has fewer than 3 marks');
    const board = await facilitator.textContent('#leaderboard');
    for (const [name] of teams) if (!board.includes(name)) throw new Error(`leaderboard lacks ${name}`);
    if (await facilitator.evaluate(() => window.__xss) !== undefined) throw new Error('a team name ran as HTML');
    await facilitator.click('#reveal');
    await facilitator.waitForFunction(() => document.querySelector('#truth-chart svg'), null, { timeout: 10000 });
    await shot(facilitator, 'facilitator');
    for (const p of pages) if (await p.evaluate(() => window.__xss) !== undefined) throw new Error('a team name ran as HTML');
    await facilitator.close();
    for (const p of pages) await p.close();
  });
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  server.kill('SIGTERM');
  const code = await new Promise((ok) => server.on('exit', (c) => ok(c)));
  if (code !== 0) problems.push(`funnelsim serve exited with ${code} on SIGTERM`);
  const sessions = existsSync(state) ? readdirSync(state).filter((f) => f.endsWith('.json')) : [];
  if (sessions.length !== 1) problems.push(`expected one saved session, found ${sessions.length}`);
  rmSync(state, { recursive: true, force: true });
}
for (const p of problems) console.log(`problem: ${p}`);
console.log(problems.length === 0 ? 'serve: all checks passed' : `serve: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
