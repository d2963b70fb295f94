// The workshop notebook's threshold slider in a real front end: Debian's classic notebook server
// (python3-notebook 6.4) with its ipywidgets 6, in Debian's Chromium through playwright-core. It
// runs every cell, checks that the slider draws, moves it one step and waits for the chart to be
// redrawn for the new threshold; no cell may end in an error and no page error may occur.
// The notebook runs from a copy in a temporary folder (the server autosaves what it runs), with
// few replications: the check is about the widgets, not statistics. Usage (ctest runs it so):
//   node tests/browser/check_notebook_slider.mjs PYTHON_PACKAGE_DIR SOURCE_DIR OUTPUT_DIR
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [pythonDir, sourceDir, outputDir] = process.argv.slice(2).map((p) => p && resolve(p));
if (!pythonDir || !sourceDir || !outputDir) {
  console.error('usage: node check_notebook_slider.mjs PYTHON_PACKAGE_DIR SOURCE_DIR OUTPUT_DIR');
  process.exit(2);
}
const screenshots = join(outputDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'funnelsim-notebook-'));
copyFileSync(join(sourceDir, 'notebooks', 'workshop_levers.ipynb'), join(work, 'workshop_levers.ipynb'));

// A free loopback port (notebook 6 takes no port 0) and a token of our own.
const port = await new Promise((ok) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => ok(free));
  });
});
const token = randomBytes(16).toString('hex');
const server = spawn('/usr/bin/python3', ['-m', 'notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1',
  `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${work}`], {
  stdio: ['ignore', 'inherit', 'pipe'],
  env: { ...process.env, PYTHONPATH: pythonDir, FUNNELSIM_SCENARIOS: join(sourceDir, 'scenarios'),
    FUNNELSIM_OUT: join(work, 'out'), FUNNELSIM_REPLICATIONS: '8', PYDEVD_DISABLE_FILE_VALIDATION: '1',
    JUPYTER_RUNTIME_DIR: join(work, 'runtime'), JUPYTER_DATA_DIR: join(work, 'data'), IPYTHONDIR: join(work, 'ipython') },
});
let serverLog = '';
server.stderr.on('data', (d) => { serverLog += d; });
await new Promise((ok, fail) => {
  const waiting = setInterval(() => { if (serverLog.includes('is running at')) { clearInterval(waiting); ok(); } }, 100);
  server.on('exit', (code) => fail(new Error(`the notebook server exited with ${code}: ${serverLog}`)));
  setTimeout(() => fail(new Error(`the notebook server did not start within 60 s: ${serverLog}`)), 60000);
});

const failures = [];
const browser = await chromium.launch({ executablePath: process.env.FUNNELSIM_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/notebooks/workshop_levers.ipynb?token=${token}`);
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
    Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  await page.waitForFunction(() => Jupyter.notebook.get_cells().every((c) => c.cell_type !== 'code' ||
    (typeof c.input_prompt_number === 'number')), null, { timeout: 240000 });
  const errors = await page.evaluate(() => Jupyter.notebook.get_cells().flatMap((c, i) =>
    c.cell_type === 'code' ? c.output_area.outputs.filter((o) => o.output_type === 'error')
      .map((o) => `cell ${i}: ${o.ename}: ${o.evalue}`) : []));
  failures.push(...errors);

  const slider = page.locator('.ui-slider-handle');
  if (await slider.count() !== 1) failures.push(`expected one slider, found ${await slider.count()}`);
  const chart = page.locator('.widget-vbox img');
  if (await chart.count() !== 1) failures.push(`expected the slider's chart, found ${await chart.count()} images`);
  if (failures.length === 0) {
    const cellText = await page.evaluate(() =>
      document.querySelector('.ui-slider-handle').closest('.cell').querySelector('.output_wrapper').innerText);
    if (cellText.includes('Widget Javascript not detected')) failures.push('the slider cell warns that widgets are missing');
    const before = await chart.getAttribute('src');
    await slider.scrollIntoViewIfNeeded();
    await slider.click();
    await page.keyboard.press('ArrowRight');  // one step: the baseline's threshold + 5
    await page.waitForFunction((old) => document.querySelector('.widget-vbox img').getAttribute('src') !== old,
      before, { timeout: 120000 });
    const value = await page.locator('.widget-vbox .widget-readout').first().innerText().catch(() => '');
    const shown = await page.evaluate(async () => {
      const reply = await new Promise((ok) => Jupyter.notebook.kernel.execute(
        'print(shown["threshold"], base_threshold)', { iopub: { output: (m) => ok(m.content.text) } }, { silent: false }));
      return reply.trim();
    });
    const [drawn, baseline] = shown.split(/\s+/).map(Number);
    if (drawn !== baseline + 5) failures.push(`after one step the chart is for threshold ${drawn}, expected ${baseline + 5}`);
    if (value && Number(value) !== baseline + 5) failures.push(`the slider reads ${value}, expected ${baseline + 5}`);
    await page.screenshot({ path: join(screenshots, 'notebook_slider.png'), fullPage: false });
    console.log(`notebook slider: baseline ${baseline}, moved to ${drawn}, chart redrawn`);
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((ok) => { server.on('exit', ok); setTimeout(ok, 5000); });
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`notebook slider check failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
