// funnelsim serve's page: plain ES module, no build step. DOM is built with textContent only
// (el() below), never by parsing HTML, so names typed by participants stay text. Charts: Vega-Lite,
// served by this server.
const app = document.getElementById('app');
const clientId = sessionStorage.getItem('funnelsim.client') || crypto.randomUUID();
sessionStorage.setItem('funnelsim.client', clientId);
window.funnelsimPage = { runs: 0, charts: 0, errors: [] };

// ---- helpers -----------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };

class ApiError extends Error { constructor(status, body) { super(body.error || `HTTP ${status}`); this.status = status; this.body = body; } }

async function api(method, path, body, key) {
  const headers = { 'X-Funnelsim-Client': clientId };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Key ${key}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A simulation: a stream of JSON lines, {"progress": f} then the result or {"error", "status"}.
async function simulate(path, body, key, onProgress, signal) {
  const headers = { 'X-Funnelsim-Client': clientId, 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Key ${key}`;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), signal });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '', last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 1);
      if (!line) continue;
      const item = JSON.parse(line);
      if ('progress' in item && Object.keys(item).length === 1) onProgress?.(item.progress);
      else last = item;
    }
  }
  if (!last) throw new ApiError(500, { error: 'the stream ended without a result' });
  if (last.error) throw new ApiError(last.status || 500, last);
  return last;
}

const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
function format(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (unit === 'ratio') return `${fmt1.format(value * 100)}%`;
  if (unit && unit.startsWith('currency')) {
    const sign = value < 0 ? '-' : '';
    const v = Math.abs(value);
    return v >= 1e6 ? `${sign}$${fmt1.format(v / 1e6)}M` : `${sign}$${fmtInt.format(v)}`;
  }
  if (unit === 'hours') return `${fmt1.format(value)} h`;
  if (unit === 'days') return `${fmt1.format(value)} d`;
  return Math.abs(value) < 10 ? fmt1.format(value) : fmtInt.format(value);
}
function formatChange(change, unit) {
  if (!change || change.difference === null) return '–';
  const sign = change.difference > 0 ? '+' : '';
  const d = unit === 'ratio' ? `${sign}${fmt1.format(change.difference * 100)} pts` : `${sign}${format(change.difference, unit)}`;
  const ci = unit === 'ratio'
    ? `${fmt1.format(change.ci95_low * 100)} to ${fmt1.format(change.ci95_high * 100)}`
    : `${format(change.ci95_low, unit)} to ${format(change.ci95_high, unit)}`;
  return change.verdict === 'same' ? 'no change' : `${d} (95% CI ${ci})`;
}

// A chart drawn again with the same shape (a rerun's new numbers) keeps its Vega view and swaps
// its data: milliseconds, where parsing and compiling the spec again took a few hundred.
const liveCharts = new WeakMap();  // node -> { shape, view }
async function draw(node, spec) {
  try {
    const values = spec.data && Array.isArray(spec.data.values) ? spec.data.values : null;
    const shape = values ? JSON.stringify({ ...spec, data: null }) : null;
    const live = liveCharts.get(node);
    if (values && live && live.shape === shape) {
      await live.view.change('table', vega.changeset().remove(() => true).insert(values)).runAsync();
    } else {
      const embedded = await vegaEmbed(node, values ? { ...spec, data: { name: 'table', values } } : spec,
        { actions: false, renderer: 'svg', tooltip: true });
      if (values) liveCharts.set(node, { shape, view: embedded.view });
      else liveCharts.delete(node);
    }
    window.funnelsimPage.charts += 1;
  } catch (e) {
    window.funnelsimPage.errors.push(String(e));
    node.append(el('p', { class: 'error' }, `Chart failed: ${e.message}`));
  }
}

// ---- levers ------------------------------------------------------------------------------
// The lever form: one control per lever, grouped as the server groups them. onChange gets the
// settings that differ from the scenario's own.
function leverForm(levers, onChange, initial = {}) {
  const values = {};
  for (const l of levers) values[l.id] = l.id in initial ? initial[l.id] : l.value;
  const settings = () => {
    const out = {};
    for (const l of levers) if (JSON.stringify(values[l.id]) !== JSON.stringify(l.value)) out[l.id] = values[l.id];
    return out;
  };
  const groups = new Map();
  for (const l of levers) {
    if (!groups.has(l.group)) groups.set(l.group, []);
    groups.get(l.group).push(l);
  }
  const form = el('div', { class: 'levers' });
  for (const [name, items] of groups) {
    const group = el('div', { class: 'group' }, el('h3', {}, name));
    for (const l of items) {
      const id = `lever-${l.id.replace(/[^a-z0-9]+/gi, '-')}`;
      let control;
      const output = el('output', { for: id });
      if (l.kind === 'number') {
        const unit = l.id === 'budget_shift' ? 'currency' : '';
        const show = () => { output.textContent = unit ? format(values[l.id], unit) : String(values[l.id]); };
        control = el('input', { type: 'range', id, min: l.min, max: l.max, step: l.step, value: values[l.id], 'data-lever': l.id,
          oninput: (e) => { values[l.id] = Number(e.target.value); show(); },
          onchange: () => onChange(settings()) });
        show();
      } else if (l.kind === 'toggle') {
        control = el('input', { type: 'checkbox', id, 'data-lever': l.id, checked: values[l.id],
          onchange: (e) => { values[l.id] = e.target.checked; output.textContent = e.target.checked ? 'on' : 'off'; onChange(settings()); } });
        output.textContent = values[l.id] ? 'on' : 'off';
      } else {
        control = el('select', { id, 'data-lever': l.id, onchange: (e) => { values[l.id] = e.target.value; onChange(settings()); } },
          l.choices.map((c) => el('option', { value: c.value, selected: c.value === values[l.id] }, c.label)));
      }
      group.append(el('div', { class: 'lever' }, el('label', { for: id }, el('span', {}, l.label), output), control));
    }
    form.append(group);
  }
  form.settings = settings;
  return form;
}

// ---- results -----------------------------------------------------------------------------
function funnelSpec(result) {
  const data = result.funnel.map((s, i) => ({ ...s, order: i }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 190,
    title: 'The funnel per quarter: mean, P10–P90 (ticks: the scenario as written)',
    data: { values: data },
    encoding: { y: { field: 'label', type: 'nominal', sort: data.map((d) => d.label), title: null } },
    layer: [
      { mark: { type: 'bar', color: '#7aa6e8' }, encoding: { x: { field: 'mean', type: 'quantitative', title: 'per replication (symmetric log scale)', scale: { type: 'symlog' }, axis: { values: [0, 10, 100, 1000, 10000, 100000], format: ',d' } },
        tooltip: [{ field: 'label' }, { field: 'mean', format: ',.0f' }, { field: 'p10', format: ',.0f' }, { field: 'p90', format: ',.0f' }] } },
      { mark: { type: 'rule', color: '#1f2933' }, encoding: { x: { field: 'p10', type: 'quantitative' }, x2: { field: 'p90' } } },
      { mark: { type: 'tick', color: '#b3261e', thickness: 2 }, encoding: { x: { field: 'base', type: 'quantitative' } } },
      { mark: { type: 'text', align: 'left', dx: 4, dy: -9, fontSize: 11 }, encoding: { x: { field: 'mean', type: 'quantitative' }, text: { field: 'mean', format: ',.0f' } } },
    ],
  };
}

function changeSpec(result) {
  const rows = [...result.metrics, ...result.teams.map((t) => ({ ...t, label: `${t.label}: ${t.team}` }))]
    .filter((m) => m.change && m.change.relative !== null && m.change.relative_ci95_low !== null)
    .map((m) => ({ label: m.label, relative: m.change.relative, low: m.change.relative_ci95_low, high: m.change.relative_ci95_high, verdict: m.change.verdict }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 22 * rows.length,
    title: 'Change against the scenario as written: paired difference, 95% CI',
    data: { values: rows },
    encoding: { y: { field: 'label', type: 'nominal', sort: rows.map((r) => r.label), title: null } },
    layer: [
      { mark: { type: 'rule', color: '#999' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
      { mark: 'rule', encoding: { x: { field: 'low', type: 'quantitative', axis: { format: '+.0%' }, title: 'relative change' }, x2: { field: 'high' },
        color: { field: 'verdict', type: 'nominal', scale: { domain: ['better', 'worse', 'unclear', 'same'], range: ['#1b7f3b', '#b3261e', '#9aa5b1', '#9aa5b1'] }, legend: { orient: 'bottom', title: null } } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'relative', type: 'quantitative' }, color: { field: 'verdict', type: 'nominal' },
        tooltip: [{ field: 'label' }, { field: 'relative', format: '+.1%' }, { field: 'low', format: '+.1%' }, { field: 'high', format: '+.1%' }] } },
    ],
  };
}

function numbersTable(result) {
  const rows = [...result.metrics, ...result.teams.map((t) => ({ ...t, label: `${t.label}: ${t.team}` }))];
  return el('table', { class: 'numbers' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Metric'), el('th', { class: 'num' }, 'Value'), el('th', { class: 'num' }, 'P10–P90'), el('th', {}, 'Against the scenario as written'))),
    el('tbody', {}, rows.map((m) => el('tr', { 'data-metric': m.name },
      el('td', {}, m.label),
      el('td', { class: 'num' }, format(m.value, m.unit)),
      el('td', { class: 'num' }, `${format(m.p10, m.unit)} – ${format(m.p90, m.unit)}`),
      el('td', { class: m.change ? m.change.verdict : '' }, formatChange(m.change, m.unit))))));
}

// The charts stay in place from one result to the next (draw swaps their data); the table is new.
async function showResult(node, result) {
  let funnel = node.querySelector('#funnel-chart'), change = node.querySelector('#change-chart');
  let numbers = node.querySelector('.numbers-panel');
  if (!funnel || !change || !numbers) {
    clear(node);
    funnel = el('div', { class: 'chart', id: 'funnel-chart' });
    change = el('div', { class: 'chart', id: 'change-chart' });
    numbers = el('div', { class: 'panel numbers-panel' });
    node.append(el('div', { class: 'panel' }, funnel), numbers, el('div', { class: 'panel' }, change));
  }
  clear(numbers).append(numbersTable(result));
  await draw(funnel, funnelSpec(result));
  await draw(change, changeSpec(result));
}

function statusLine() {
  const bar = el('progress', { max: 1, value: 0, hidden: true });
  const text = el('span', {}, '');
  const node = el('div', { class: 'status', id: 'status' }, bar, text);
  node.busy = (fraction, message) => { bar.hidden = false; bar.value = fraction; text.textContent = message; text.className = ''; };
  node.done = (message) => { bar.hidden = true; text.textContent = message; text.className = ''; };
  node.fail = (message) => { bar.hidden = true; text.textContent = message; text.className = 'error'; };
  return node;
}

// The server's default and a few round counts up to its cap.
const replicationChoices = (catalogue) => [...new Set([catalogue.default_replications, 50, 100, 200, 400, 1000])]
  .filter((n) => n <= catalogue.max_replications).sort((a, b) => a - b);

// ---- explore view ------------------------------------------------------------------------
async function exploreView() {
  const catalogue = await api('GET', '/api/scenarios');
  const picker = el('select', { id: 'scenario' }, catalogue.scenarios.map((s) => el('option', { value: s.name }, s.name)));
  const reps = el('select', { id: 'replications' }, replicationChoices(catalogue)
    .map((n) => el('option', { value: n, selected: n === catalogue.default_replications }, `${n} replications`)));
  const leversPanel = el('div', { class: 'panel' });
  const status = statusLine();
  const results = el('div', { id: 'results' });
  const description = el('p', { class: 'muted' });
  clear(app).append(el('h1', {}, 'Explore: move a lever, see the trade-off'),
    el('div', { class: 'layout' },
      el('div', {}, el('div', { class: 'panel' }, el('div', { class: 'row' }, picker, reps), description), leversPanel),
      el('div', {}, status, results)));
  let form = null, controller = null, started = 0;
  const run = async () => {
    controller?.abort();
    controller = new AbortController();
    const mine = controller;
    started = performance.now();
    status.busy(0, 'Simulating…');
    try {
      const out = await simulate('/api/run', { scenario: picker.value, levers: form.settings(), replications: Number(reps.value) },
        null, (f) => status.busy(f, `Simulating… ${Math.round(f * 100)}%`), mine.signal);
      if (mine !== controller) return;
      await showResult(results, out.result);
      window.funnelsimPage.runs += 1;
      status.done(`${out.result.replications} replications in ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${out.result.seed}`);
    } catch (e) {
      if (e.name === 'AbortError' || e.status === 409) return;  // replaced by a newer change
      status.fail(e.message);
    }
  };
  const load = async () => {
    const s = await api('GET', `/api/scenarios/${encodeURIComponent(picker.value)}`);
    description.textContent = s.description.length > 320 ? `${s.description.slice(0, 317)}…` : s.description;
    form = leverForm(s.levers, run);
    clear(leversPanel).append(el('h2', {}, 'Levers'), form);
    run();
  };
  picker.addEventListener('change', load);
  reps.addEventListener('change', run);
  await load();
}

// ---- workshop: facilitator -----------------------------------------------------------------
async function facilitateView(code) {
  if (code) return dashboardView(code);
  const catalogue = await api('GET', '/api/scenarios');
  const scenario = el('select', { id: 'ws-scenario' }, catalogue.scenarios.map((s) => el('option', { value: s.name }, s.name)));
  const title = el('input', { type: 'text', id: 'ws-title', placeholder: 'Q3 funnel workshop' });
  const objective = el('input', { type: 'text', id: 'ws-objective', value: 'maximize sqls subject to sla_attainment >= 0.6' });
  const pareto = el('input', { type: 'text', id: 'ws-pareto', placeholder: 'sqls,sla_attainment (default: the objective and its first constraint)' });
  const reps = el('select', { id: 'ws-replications' }, replicationChoices(catalogue).map((n) => el('option', { value: n, selected: n === catalogue.default_replications }, `${n}`)));
  const message = el('p', { class: 'error' });
  const create = async () => {
    message.textContent = '';
    try {
      const body = { scenario: scenario.value, objective: objective.value, replications: Number(reps.value) };
      if (title.value.trim()) body.title = title.value.trim();
      if (pareto.value.trim()) body.pareto = pareto.value.trim();
      const out = await api('POST', '/api/sessions', body);
      sessionStorage.setItem(`funnelsim.facilitator.${out.session.code}`, out.facilitator_key);
      location.hash = `#/facilitate/${out.session.code}`;
    } catch (e) { message.textContent = e.message; }
  };
  clear(app).append(el('h1', {}, 'Run a workshop'), el('div', { class: 'panel' },
    el('p', {}, 'Pick the scenario every team plays and the goal they are ranked by: an objective with constraints, as ',
      el('code', {}, 'funnelsim sweep --objective'), ' reads it.'),
    el('div', { class: 'lever' }, el('label', { for: 'ws-title' }, 'Title'), title),
    el('div', { class: 'lever' }, el('label', { for: 'ws-scenario' }, 'Scenario'), scenario),
    el('div', { class: 'lever' }, el('label', { for: 'ws-objective' }, 'Goal'), objective),
    el('div', { class: 'lever' }, el('label', { for: 'ws-pareto' }, 'Trade-off chart axes (two metrics)'), pareto),
    el('div', { class: 'lever' }, el('label', { for: 'ws-replications' }, 'Replications per plan'), reps),
    el('button', { id: 'ws-create', onclick: create }, 'Create the session'), message));
}

function leaderboardTable(board, withLevers) {
  return el('table', { id: 'leaderboard' },
    el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'Team'), el('th', {}, 'Plan'), el('th', { class: 'num' }, board.metric.label),
      el('th', {}, 'Constraints'), withLevers ? el('th', {}, 'Levers moved') : null)),
    el('tbody', {}, board.plans.map((p) => el('tr', { 'data-plan': p.plan, class: p.feasible ? '' : 'muted' },
      el('td', {}, p.rank ?? '–'), el('td', {}, p.team), el('td', {}, p.label), el('td', { class: 'num' }, format(p.value, board.metric.unit)),
      el('td', {}, p.constraints.map((c) => el('span', { class: c.holds ? 'better' : 'worse' }, `${c.holds ? '✓' : '✗'} ${c.metric.label} ${format(c.value, c.metric.unit)}  `))),
      withLevers ? el('td', { class: 'muted' }, Object.entries(p.levers).map(([k, v]) => `${k}=${v}`).join(', ') || 'none') : null))));
}

function debriefSpec(debrief) {
  const points = debrief.points.filter((p) => p.x !== null && p.y !== null)
    .map((p) => ({ ...p, where: p.front ? 'on the Pareto front' : 'dominated' }));
  const front = points.filter((p) => p.front).sort((a, b) => a.x - b.x);
  const axis = (a) => ({ title: `${a.label} (${a.better} is better)`, format: a.unit === 'ratio' ? '.0%' : ',.0f' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 360,
    title: `Every plan: ${debrief.x.label} against ${debrief.y.label} (line: the Pareto front)`,
    layer: [
      { data: { values: front }, mark: { type: 'line', color: '#2a6fdb', strokeDash: [4, 3] },
        encoding: { x: { field: 'x', type: 'quantitative', axis: axis(debrief.x), scale: { zero: false } }, y: { field: 'y', type: 'quantitative', axis: axis(debrief.y), scale: { zero: false } } } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 110 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' },
          color: { field: 'team', type: 'nominal', legend: { title: 'Team' } }, shape: { field: 'where', type: 'nominal', legend: { title: null } },
          tooltip: [{ field: 'label', title: 'plan' }, { field: 'x', title: debrief.x.label }, { field: 'y', title: debrief.y.label }] } },
      { data: { values: points }, mark: { type: 'text', dy: -12, fontSize: 11 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}

function truthSpec(debrief) {
  const points = debrief.points.filter((p) => p.mql_precision !== null && p.mql_recall !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 280,
    title: 'The latent truth: how many MQLs were really ready (precision), how many ready leads became MQLs (recall)',
    data: { values: points }, layer: [
      { mark: { type: 'point', filled: true, size: 110 }, encoding: { x: { field: 'mql_recall', type: 'quantitative', title: 'MQL recall', axis: { format: '.0%' }, scale: { zero: false } },
        y: { field: 'mql_precision', type: 'quantitative', title: 'MQL precision', axis: { format: '.0%' }, scale: { zero: false } }, color: { field: 'team', type: 'nominal', legend: { title: 'Team' } } } },
      { mark: { type: 'text', dy: -12, fontSize: 11 }, encoding: { x: { field: 'mql_recall', type: 'quantitative' }, y: { field: 'mql_precision', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}

async function dashboardView(code) {
  const key = sessionStorage.getItem(`funnelsim.facilitator.${code}`) || new URLSearchParams(location.search).get('key');
  const session = await api('GET', `/api/sessions/${encodeURIComponent(code)}`, undefined, key);
  if (!session.facilitator) throw new Error('This browser tab does not hold the facilitator key of this session.');
  const joinUrl = `${location.origin}/j/${session.code}`;
  const teams = el('ul', { id: 'teams' });
  const board = el('div', {});
  const debriefChart = el('div', { class: 'chart', id: 'debrief-chart' });
  const truthChart = el('div', { class: 'chart', id: 'truth-chart' });
  const reveal = el('button', { id: 'reveal', class: 'secondary', onclick: async () => { await api('POST', `/api/sessions/${code}/reveal`, {}, key); refresh(true); } }, 'Reveal the latent truth');
  const exportLinks = el('div', { class: 'row' },
    el('a', { class: 'button secondary', href: `/api/sessions/${code}/export.json?key=${key}`, download: `workshop-${code}.json` }, 'Export JSON'),
    el('a', { class: 'button secondary', href: `/api/sessions/${code}/export.html?key=${key}`, download: `workshop-${code}.html` }, 'Export HTML report'));
  clear(app).append(el('h1', {}, session.title),
    el('div', { class: 'cards' },
      el('div', { class: 'panel' }, el('div', { class: 'muted' }, 'Join code'), el('div', { class: 'code', id: 'join-code' }, session.code),
        el('div', {}, 'or open ', el('code', { id: 'join-url' }, joinUrl))),
      el('div', { class: 'panel' }, el('div', { class: 'muted' }, 'Goal'), el('div', { id: 'goal' }, session.objective),
        el('div', { class: 'muted' }, `${session.scenario}, ${session.replications} replications, seed ${session.seed}: every team faces the same leads`)),
      el('div', { class: 'panel' }, el('div', { class: 'muted' }, 'Teams'), teams)),
    el('div', { class: 'panel' }, el('h2', {}, 'Leaderboard'), board),
    el('div', { class: 'panel' }, el('h2', {}, 'Debrief'), debriefChart, el('div', { class: 'row' }, reveal, exportLinks), truthChart));
  let shown = '';
  const refresh = async (force) => {
    if (!document.body.contains(board)) return;
    const [s, b, d] = await Promise.all([api('GET', `/api/sessions/${code}`, undefined, key), api('GET', `/api/sessions/${code}/leaderboard`),
      api('GET', `/api/sessions/${code}/debrief`, undefined, key)]);
    const signature = JSON.stringify([s.teams, b.plans.length, d.revealed]);
    if (signature === shown && !force) return;
    shown = signature;
    clear(teams).append(...s.teams.map((t) => el('li', {}, `${t.name} (${t.plans} plan${t.plans === 1 ? '' : 's'})`)));
    clear(board).append(b.plans.length ? leaderboardTable(b, true) : el('p', { class: 'muted' }, 'No plan submitted yet.'));
    clear(debriefChart);
    if (d.points.length) await draw(debriefChart, debriefSpec(d));
    clear(truthChart);
    reveal.disabled = d.revealed;
    if (d.revealed && d.points.length) await draw(truthChart, truthSpec(d));
  };
  await refresh(true);
  const timer = setInterval(() => refresh(false).catch(() => {}), 2000);
  window.addEventListener('hashchange', () => clearInterval(timer), { once: true });
}

// ---- workshop: a team ------------------------------------------------------------------------
async function joinView(code) {
  const codeInput = el('input', { type: 'text', id: 'join-code-input', value: code || '', placeholder: 'ABC234', maxlength: 6 });
  const name = el('input', { type: 'text', id: 'team-name', placeholder: 'Team name', maxlength: 60 });
  const message = el('p', { class: 'error' });
  const join = async () => {
    message.textContent = '';
    const c = codeInput.value.trim().toUpperCase();
    try {
      const out = await api('POST', `/api/sessions/${encodeURIComponent(c)}/teams`, { name: name.value });
      sessionStorage.setItem(`funnelsim.team.${c}`, JSON.stringify({ key: out.key, team: out.team }));
      location.hash = `#/team/${c}`;
    } catch (e) { message.textContent = e.message; }
  };
  clear(app).append(el('h1', {}, 'Join a workshop'), el('div', { class: 'panel' },
    el('div', { class: 'lever' }, el('label', { for: 'join-code-input' }, 'Join code'), codeInput),
    el('div', { class: 'lever' }, el('label', { for: 'team-name' }, 'Your team’s name'), name),
    el('button', { id: 'join', onclick: join }, 'Join'), message));
}

async function teamView(code) {
  const stored = JSON.parse(sessionStorage.getItem(`funnelsim.team.${code}`) || 'null');
  if (!stored) return joinView(code);
  const session = await api('GET', `/api/sessions/${encodeURIComponent(code)}`);
  const status = statusLine();
  const results = el('div', { id: 'results' });
  const board = el('div', { id: 'team-board' });
  let controller = null;
  const form = leverForm(session.levers, () => {});
  const submit = el('button', { id: 'submit-plan', onclick: async () => {
    controller?.abort();
    controller = new AbortController();
    submit.disabled = true;
    status.busy(0, 'Simulating your plan…');
    try {
      const out = await simulate(`/api/sessions/${code}/plans`, { levers: form.settings() }, stored.key,
        (f) => status.busy(f, `Simulating your plan… ${Math.round(f * 100)}%`), controller.signal);
      status.done(`Submitted ${out.plan.label}.`);
      await showResult(results, out.result);
      window.funnelsimPage.runs += 1;
      await refreshBoard();
    } catch (e) { if (e.name !== 'AbortError') status.fail(e.message); } finally { submit.disabled = false; }
  } }, 'Submit this plan');
  const refreshBoard = async () => {
    const b = await api('GET', `/api/sessions/${code}/leaderboard`);
    clear(board).append(b.plans.length ? leaderboardTable(b, false) : el('p', { class: 'muted' }, 'No plan yet.'));
  };
  clear(app).append(el('h1', {}, `${stored.team.name} — ${session.title}`),
    el('p', {}, el('span', { class: 'pill' }, `Goal: ${session.objective}`), ' ', el('span', { class: 'muted' }, `${session.scenario}, ${session.replications} replications: every team faces the same leads.`)),
    el('div', { class: 'layout' }, el('div', {}, el('div', { class: 'panel' }, el('h2', {}, 'Your levers'), form, submit)),
      el('div', {}, status, el('div', { class: 'panel' }, el('h2', {}, 'Leaderboard'), board), results)));
  await refreshBoard();
  const timer = setInterval(() => refreshBoard().catch(() => {}), 3000);
  window.addEventListener('hashchange', () => clearInterval(timer), { once: true });
}

// ---- routing ---------------------------------------------------------------------------------
function homeView() {
  clear(app).append(el('h1', {}, 'funnelsim: the lead funnel, live'), el('div', { class: 'cards' },
    el('div', { class: 'panel' }, el('h2', {}, 'Explore'), el('p', {}, 'Move the levers of a scenario and see what changes, against the scenario as written, on the same leads.'), el('a', { class: 'button', href: '#/explore' }, 'Explore')),
    el('div', { class: 'panel' }, el('h2', {}, 'Run a workshop'), el('p', {}, 'Open a session with a goal; teams join with a code, submit plans and meet on one trade-off chart.'), el('a', { class: 'button', href: '#/facilitate' }, 'New session')),
    el('div', { class: 'panel' }, el('h2', {}, 'Join a workshop'), el('p', {}, 'Got a code from the facilitator? Join with your team.'), el('a', { class: 'button', href: '#/join' }, 'Join'))));
}

async function route() {
  const short = location.pathname.match(/^\/j\/([A-Za-z0-9]+)$/);
  if (short && !location.hash) { history.replaceState(null, '', `/#/join/${short[1].toUpperCase()}`); }
  const [, view, arg] = (location.hash || '#/').slice(1).split('/');
  try {
    if (view === 'explore') await exploreView();
    else if (view === 'facilitate') await facilitateView(arg);
    else if (view === 'join') await joinView(arg);
    else if (view === 'team') await teamView(arg);
    else homeView();
  } catch (e) {
    clear(app).append(el('p', { class: 'error' }, e.message));
  }
}
window.addEventListener('hashchange', route);
route();
