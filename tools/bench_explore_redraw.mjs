// How long the explore view takes from a lever's change to the redrawn results, in the browser:
// Debian's Chromium through playwright-core against `funnelsim serve` on saas_baseline at 200
// replications (the workshop's rerun). Each change is timed twice: by the page itself (its status
// line, from the change to the last chart drawn) and from outside (the input event to the page's
// run counter moving). A benchmark: it prints figures and asserts nothing about them.
//   node tools/bench_explore_redraw.mjs [FUNNELSIM=build/funnelsim]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const funnelsim = resolve(process.argv[2] || 'build/funnelsim');
const sourceDir = resolve(new URL('..', import.meta.url).pathname);
const server = spawn(funnelsim, ['serve', join(sourceDir, 'scenarios', 'saas_baseline.json'), '--port', '0',
  '--replications', '200', '--state', mkdtempSync(join(tmpdir(), 'funnelsim-bench-')), '--quiet'],
{ stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/funnelsim serve: (http:\/\/\S+\/)/);
    if (m) ok(m[1]);
  });
  server.on('exit', (code) => fail(new Error(`funnelsim serve exited with ${code}`)));
});
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'funnelsim-chromium-')), {
  executablePath: process.env.FUNNELSIM_CHROMIUM || '/usr/bin/chromium', headless: true,
  viewport: { width: 1280, height: 900 }, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await context.newPage();
await page.goto(`${base}#/explore`);
await page.waitForFunction(() => window.funnelsimPage.runs >= 1, null, { timeout: 120000 });
console.log(`bench_explore_redraw: saas_baseline, 200 replications, ${funnelsim}`);

// Lever changes in users' words: [lever, value], each from the one before.
const changes = [['threshold', '61'], ['threshold', '70'], ['threshold', '58'], ['sdrs.sdr', '4'],
  ['sla_hours.sdr', '2'], ['discipline.sdr', 'fifo'], ['budget_shift', '3000'], ['threshold', '75']];
for (const [lever, value] of changes) {
  const runs = await page.evaluate(() => window.funnelsimPage.runs);
  const t0 = Date.now();
  await page.locator(`[data-lever="${lever}"]`).evaluate((input, v) => {
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
  await page.waitForFunction((n) => window.funnelsimPage.runs > n, runs, { timeout: 120000 });
  const outside = (Date.now() - t0) / 1000;
  const status = await page.locator('.status').first().textContent();
  console.log(`${`${lever} = ${value}`.padEnd(24)} page: ${status.trim().padEnd(48)} outside: ${outside.toFixed(3)} s`);
}
await context.close();
server.kill('SIGTERM');
