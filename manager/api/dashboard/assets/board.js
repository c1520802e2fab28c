// One board: temperature, voltage, load (and GPU) over the last hour or day from the manager's
// history, the board's limits as lines, the moments Kelvin acted as markers; facts, labels,
// devices, its tasks, and drain/activate.
import uPlot from '/ui/vendor/uPlot.esm.js';
import { get, post } from './api.js';
import { ago, clock, fmt, h } from './dom.js';
import { badges, heatLevel, LEVELS } from './heat.js';

const REFRESH_MS = 5000;
/** Alerts drawn on the charts: what Kelvin did about heat and power. */
const MARKED = { 'thermal.throttle': 'throttle', 'thermal.failover': 'migrate', 'thermal.recovered': 'recovered', 'thermal.no-target': 'nowhere to go', 'power.undervoltage': 'under-voltage', 'power.recovered': 'power ok', 'node.brownout': 'brownout', 'node.down': 'down' };
const COLORS = { line: '#0b5cad', min: '#7fb2e5', warn: '#b35900', throttle: '#b8001f', critical: '#5e1a6b', marker: '#333' };

function markerPlugin(markers) {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.strokeStyle = COLORS.marker;
          ctx.fillStyle = COLORS.marker;
          ctx.setLineDash([4, 3]);
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          for (const m of markers()) {
            const x = u.valToPos(m.at / 1000, 'x', true);
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            ctx.fillText(MARKED[m.kind], x + 3, bbox.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

const limitSeries = (name, color) => ({ label: name, stroke: color, dash: [6, 4], width: 1, points: { show: false } });

/** Index of the first slot any metric has a reading in: a board heard from for ten minutes gets ten minutes of chart, not an hour of blank. */
function firstReading(history) {
  const firsts = Object.values(history.avg).map((values) => values.findIndex((v) => v !== null));
  const known = firsts.filter((i) => i >= 0);
  return known.length ? Math.min(...known) : history.t.length;
}

function chartSpec(metric, history, node) {
  const from = firstReading(history);
  const avg = history.avg[metric.key]?.slice(from);
  if (!avg) return null;
  const series = [{}, { label: metric.label, stroke: COLORS.line, width: 2, spanGaps: false }];
  const t = history.t.slice(from);
  const data = [t.map((ms) => ms / 1000), avg];
  if (history.max) {
    series.push({ label: `${metric.label} max`, stroke: COLORS.min, width: 1 });
    data.push(history.max[metric.key].slice(from));
  }
  if (metric.key === 'cpuTempC' && node.thermal?.limits) {
    for (const k of ['warn', 'throttle', 'critical']) {
      series.push(limitSeries(`${k} ${node.thermal.limits[`${k}C`]} °C`, COLORS[k]));
      data.push(t.map(() => node.thermal.limits[`${k}C`]));
    }
  }
  return { series, data, points: avg.filter((v) => v !== null).length };
}

const METRICS = [
  { key: 'cpuTempC', label: 'CPU °C' },
  { key: 'volts', label: 'volts' },
  { key: 'load1', label: 'load (1 min)' },
  { key: 'gpuTempC', label: 'GPU °C' },
  { key: 'gpuUtilPct', label: 'GPU use %' },
];

export function renderBoard(root, state, { id }) {
  let since = '1h';
  let history = null;
  let markers = [];
  const charts = new Map();
  const header = h('div', { class: 'board-head' });
  const chartBox = h('section', { class: 'charts', 'aria-label': 'history charts' });
  const markerList = h('ul', { class: 'markers' });
  const details = h('section', { class: 'details' });
  const status = h('p', { class: 'action-status', role: 'status' });
  const range = h(
    'div',
    { class: 'range', role: 'group', 'aria-label': 'time range' },
    ['1h', '24h'].map((s) => h('button', { type: 'button', 'data-since': s, 'aria-pressed': s === since, onclick: () => ((since = s), load()) }, `last ${s}`)),
  );
  root.replaceChildren(h('p', {}, h('a', { href: '#/' }, '← fleet')), header, status, range, chartBox, h('h2', {}, 'What Kelvin did'), markerList, details);

  const node = () => state.nodes.get(id) ?? [...state.nodes.values()].find((n) => n.hostname === id);

  async function setAvailability(availability) {
    const n = node();
    status.textContent = '';
    try {
      await post(`/nodes/${encodeURIComponent(n.id)}/update`, { availability });
      status.textContent = `${n.hostname}: availability set to ${availability}`;
    } catch (err) {
      status.textContent = `could not set ${availability}: ${err.message}`;
    }
  }

  const chartWidth = () => Math.max(260, chartBox.clientWidth - 20);

  function drawCharts(n) {
    for (const m of METRICS) {
      const spec = history && chartSpec(m, history, n);
      let chart = charts.get(m.key);
      if (!spec || (spec.points === 0 && !chart)) {
        // A board without this sensor: say so once instead of drawing an empty chart.
        if (spec && !chartBox.querySelector(`[data-missing="${m.key}"]`)) chartBox.append(h('p', { class: 'no-data', 'data-missing': m.key }, `${m.label}: no readings from this board`));
        continue;
      }
      chartBox.querySelector(`[data-missing="${m.key}"]`)?.remove();
      if (chart && chart.u.series.length !== spec.series.length) {
        chart.u.destroy();
        chart.box.remove();
        chart = null;
      }
      if (!chart) {
        const box = h('figure', { class: 'chart', 'data-metric': m.key }, h('figcaption', {}, m.label));
        chartBox.append(box);
        const u = new uPlot({ width: chartWidth(), height: 200, series: spec.series, scales: { x: { time: true } }, axes: [{}, { size: 50 }], plugins: [markerPlugin(() => markers)] }, spec.data, box);
        chart = { u, box };
        charts.set(m.key, chart);
      } else chart.u.setData(spec.data);
      chart.box.dataset.points = spec.points;
    }
  }

  async function load() {
    const n = node();
    if (!n) return;
    for (const b of range.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.since === since));
    try {
      const [hist, alerts] = await Promise.all([get(`/nodes/${encodeURIComponent(n.id)}/history?since=${since}`), get(`/alerts?node=${encodeURIComponent(n.id)}`)]);
      history = hist;
      const from = hist.t[0] ?? 0;
      markers = alerts.filter((a) => MARKED[a.kind] && a.at >= from);
      markerList.replaceChildren(...(markers.length ? markers.slice(-20).reverse().map((a) => h('li', {}, `${clock(a.at)}: ${MARKED[a.kind]}: ${a.message}`)) : [h('li', {}, 'nothing in this range')]));
      drawCharts(n);
    } catch (err) {
      status.textContent = err.message;
    }
  }

  function update() {
    const n = node();
    if (!n) {
      header.replaceChildren(h('h1', {}, `no such node: ${id}`));
      return;
    }
    const level = heatLevel(n);
    const t = n.telemetry;
    header.replaceChildren(
      h('h1', {}, n.hostname),
      h('p', { class: `tile-line heat-${level}`, 'data-heat': level }, `${fmt(t?.cpuTempC, 1, ' °C')} · ${LEVELS[level].label} · ${n.status} · ${n.availability}`),
      h('p', { class: 'badges' }, badges(n).map(([k, text]) => h('span', { class: `badge badge-${k}` }, text))),
      h('p', {}, n.availability === 'drain' ? h('button', { type: 'button', id: 'activate', onclick: () => setAvailability('active') }, 'Activate') : h('button', { type: 'button', id: 'drain', onclick: () => setAvailability('drain') }, 'Drain')),
    );
    const tasks = state.tasks.filter((x) => x.nodeId === n.id);
    const dl = (pairs) => h('dl', {}, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    details.replaceChildren(
      h('h2', {}, 'Facts'),
      dl([
        ['id', n.id],
        ['platform', n.platform ? `${n.platform.os}/${n.platform.arch}` : '–'],
        ['board', n.board ? `${n.board.model ?? 'unknown model'} (profile ${n.board.profile})` : '–'],
        ['CPUs, memory', n.resources ? `${n.resources.cpus} cores, ${(n.resources.memoryBytes / 2 ** 30).toFixed(1)} GiB` : '–'],
        ['limits', n.thermal?.limits ? `warn ${n.thermal.limits.warnC} · throttle ${n.thermal.limits.throttleC} · critical ${n.thermal.limits.criticalC} °C` : '–'],
        ['devices', [...(n.resources?.gpus ?? []).map((g) => `GPU ${g.vendor ?? ''} ${g.model ?? ''}`.trim()), ...n.drivers.map((d) => `driver ${d}`)].join(', ') || '–'],
        ['agent', n.agentVersion ?? '–'],
        ['last seen', n.lastSeenAt ? ago(n.lastSeenAt) : 'never'],
      ]),
      h('h2', {}, 'Labels'),
      dl(Object.entries(n.labels)),
      h('h2', {}, `Tasks (${tasks.length})`),
      h('ul', {}, tasks.map((x) => h('li', {}, `${x.service}${x.slot === null ? '' : `.${x.slot}`}: ${x.state}${x.message ? ` (${x.message})` : ''}`))),
    );
    if (!history) void load();
  }

  update();
  const timer = setInterval(load, REFRESH_MS);
  const onResize = () => charts.forEach(({ u }) => u.setSize({ width: chartWidth(), height: 200 }));
  window.addEventListener('resize', onResize);
  return {
    update,
    dispose: () => {
      clearInterval(timer);
      window.removeEventListener('resize', onResize);
      charts.forEach(({ u }) => u.destroy());
    },
  };
}
