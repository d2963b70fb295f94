// A bounded loopback load test of funnelsim serve (not part of ctest): N simulated participants
// join one workshop and submit plans back to back for D seconds while a probe calls
// /api/health every 200 ms. Prints plan latency (p50, p95, max), throughput, statuses, the
// health probe's latency (p50, p95, max: the server should stay under 50 ms) and the server's
// peak memory (VmHWM), and the CPU time the server, the script and any other process took
// meanwhile (another process's share means a disturbed run: repeat it). Loopback only: it starts
// its own server on a free port. The probe runs in a worker thread with its own event loop, so
// what it measures is the server's answer, not the wait behind 30 participants' responses in
// this script's loop.
//   node tools/load_test_serve.mjs FUNNELSIM [--participants 30] [--seconds 60] [--replications 20]
//        [--scenario scenarios/saas_baseline.json]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (!isMainThread) {
  // The health probe: one call every 200 ms until the main thread says stop, then its latencies.
  let stop = false;
  parentPort.on('message', () => { stop = true; });
  const health = [];
  // node:http, not fetch: on an idle machine fetch (undici, Node 20) added up to 74 ms of its own
  // to calls that curl, probing beside it, saw answered within 9 ms. Keep-alive, as a browser.
  const { get, Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = () => new Promise((ok, fail) => {
    get(workerData.url, { agent }, (r) => { r.resume(); r.on('end', ok); }).on('error', fail);
  });
  while (!stop) {
    const t0 = performance.now();
    await call();
    health.push(performance.now() - t0);
    await new Promise((ok) => setTimeout(ok, 200));
  }
  parentPort.postMessage(health);
  process.exit(0);
}

const args = process.argv.slice(2);
const funnelsim = args[0];
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
if (!funnelsim) {
  console.error('usage: node tools/load_test_serve.mjs FUNNELSIM [--participants 30] [--seconds 60] [--replications 20]');
  process.exit(2);
}
const participants = Number(option('participants', 30));
const seconds = Number(option('seconds', 60));
const replications = Number(option('replications', 20));
const scenario = option('scenario', 'scenarios/saas_baseline.json');
const state = mkdtempSync(join(tmpdir(), 'funnelsim-load-'));

const server = spawn(funnelsim, ['serve', scenario, '--port', '0', '--state', state, '--quiet',
  '--replications', String(replications)], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; const m = out.match(/funnelsim serve: (http:\/\/\S+\/)/); if (m) ok(m[1]); });
  server.on('exit', (code) => fail(new Error(`funnelsim serve exited with ${code}`)));
});
const url = (path) => new URL(path, base).href;
const post = (path, body, key, client) => fetch(url(path), {
  method: 'POST', body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', 'X-Funnelsim-Client': client || 'load-test',
             ...(key ? { Authorization: `Key ${key}` } : {}) },
});

const session = await (await post('/api/sessions', { scenario: scenario.replace(/^.*\//, '').replace(/\.json$/, ''),
  objective: 'maximize sqls subject to sla_attainment >= 0.5', replications })).json();
const code = session.session.code;
const memory = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024;
};

// CPU seconds: the machine's (all cores, /proc/stat) and the server's, to tell how much of the
// machine other processes took meanwhile (a disturbed run is worth repeating).
const ticks = 100;  // USER_HZ
const machineCpu = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1)
  .map(Number).filter((_, i) => i !== 3 && i !== 4).reduce((a, b) => a + b, 0) / ticks;  // without idle, iowait
const serverCpu = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;  // utime, stime
};
const nodeCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const cpuAtStart = { machine: machineCpu(), server: serverCpu(), node: nodeCpu() };

const latencies = [], statuses = {};
const started = performance.now();
const deadline = started + seconds * 1000;
// Each participant moves its levers in its own pattern, one plan at a time.
const participant = async (i) => {
  const joined = await (await post(`/api/sessions/${code}/teams`, { name: `team ${i + 1}` })).json();
  let k = 0;
  while (performance.now() < deadline) {
    const levers = { threshold: 50 + ((i * 7 + k * 3) % 36), 'sdrs.sdr': 1 + ((i + k) % 4) };
    const t0 = performance.now();
    const response = await post(`/api/sessions/${code}/plans`, { levers }, joined.key, `participant-${i}`);
    const text = await response.text();
    const last = JSON.parse(text.trim().split('\n').pop());
    const status = last.error ? (last.status || response.status) : response.status;
    statuses[status] = (statuses[status] || 0) + 1;
    if (status === 200) latencies.push(performance.now() - t0);
    k += 1;
  }
};
const prober = new Worker(new URL(import.meta.url), { workerData: { url: url('/api/health') } });
const probed = new Promise((ok) => prober.once('message', ok));
await Promise.all(Array.from({ length: participants }, (_, i) => participant(i)));
prober.postMessage('stop');
const health = await probed;
const elapsed = (performance.now() - started) / 1000;
const peak = memory();
const cpu = { machine: machineCpu() - cpuAtStart.machine, server: serverCpu() - cpuAtStart.server,
              node: nodeCpu() - cpuAtStart.node };
server.kill('SIGTERM');
await new Promise((ok) => server.on('exit', ok));
rmSync(state, { recursive: true, force: true });

const pct = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] : NaN;
};
const ms = (v) => `${v.toFixed(0)} ms`;
console.log(`funnelsim serve load test: ${participants} participants, ${seconds} s, ${replications} replications a plan, ${scenario}`);
console.log(`  plans: ${latencies.length} completed in ${elapsed.toFixed(1)} s = ${(latencies.length / elapsed).toFixed(2)} plans/s; statuses ${JSON.stringify(statuses)}`);
console.log(`  plan latency: p50 ${ms(pct(latencies, 0.5))}, p95 ${ms(pct(latencies, 0.95))}, max ${ms(Math.max(...latencies))}`);
console.log(`  health probe (${health.length} calls): p50 ${ms(pct(health, 0.5))}, p95 ${ms(pct(health, 0.95))}, max ${ms(Math.max(...health))}` +
            ` -> ${Math.max(...health) < 50 ? 'under' : 'NOT under'} 50 ms throughout`);
console.log(`  server peak memory (VmHWM): ${peak.toFixed(0)} MiB`);
console.log(`  CPU: server ${cpu.server.toFixed(1)} s, this script ${cpu.node.toFixed(1)} s, other processes ` +
            `${Math.max(0, cpu.machine - cpu.server - cpu.node).toFixed(1)} s (of ${(elapsed * cpus().length).toFixed(0)} core-seconds)`);
