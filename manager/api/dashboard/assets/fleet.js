// The fleet heat map: a tile per board, coloured and patterned by its CPU temperature against its
// own limits, with badges, GPU readings, arch and board model, grouped by a label of your choice.
import { h, fmt } from './dom.js';
import { badges, heatLevel, LEVELS } from './heat.js';

/** Fills the tile `el` for `node`; the element itself stays, so focus, hover and clicks survive updates. */
function fillTile(el, node, services) {
  const level = node.status === 'down' ? 'unknown' : heatLevel(node);
  const t = node.telemetry;
  const gpus = t?.gpus ?? [];
  el.className = `tile heat-${level}${node.status === 'down' ? ' down' : ''}`;
  el.href = `#/node/${encodeURIComponent(node.id)}`;
  el.dataset.node = node.hostname;
  el.dataset.heat = level;
  el.dataset.temp = t?.cpuTempC ?? '';
  el.replaceChildren(
    h('span', { class: 'host' }, node.hostname),
    h('span', { class: 'temp' }, fmt(t?.cpuTempC, 1, ' °C')),
    h('span', { class: 'level' }, LEVELS[level].label),
    gpus.length > 0 ? h('span', { class: 'gpu' }, gpus.map((g) => `GPU${g.index} ${fmt(g.tempC, 0, '°C')} ${fmt(g.utilPct, 0, '%')}`).join(' · ')) : '',
    h('span', { class: 'hw' }, [node.platform?.arch, node.board?.model].filter(Boolean).join(' · ') || 'no facts yet'),
    services.length > 0 ? h('span', { class: 'svc' }, services.join(', ')) : '',
    h('span', { class: 'badges' }, badges(node).map(([kind, text]) => h('span', { class: `badge badge-${kind}` }, text))),
  );
}

function legend() {
  return h('p', { class: 'legend' }, Object.entries(LEVELS).map(([k, v]) => h('span', { class: `swatch heat-${k}` }, v.label)));
}

export function renderFleet(root, state) {
  const select = h('select', { id: 'group-by', 'aria-label': 'group by label' });
  const grid = h('div', { class: 'groups' });
  const summary = h('p', { class: 'summary' });
  root.replaceChildren(h('h1', {}, 'Fleet'), h('div', { class: 'toolbar' }, h('label', { for: 'group-by' }, 'Group by '), select, summary), legend(), grid);
  let groupBy = new URLSearchParams(location.hash.split('?')[1] ?? '').get('group') ?? '';
  const tiles = new Map();
  select.addEventListener('change', () => {
    groupBy = select.value;
    update();
  });

  function update() {
    const nodes = [...state.nodes.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
    const keys = [...new Set(nodes.flatMap((n) => Object.keys(n.labels)))].sort();
    select.replaceChildren(h('option', { value: '' }, '(nothing)'), ...keys.map((k) => h('option', { value: k, selected: k === groupBy }, k)));
    // Where each service runs, by node, for the tiles.
    const byNode = new Map();
    for (const t of state.tasks) if (t.nodeId && t.state === 'running') byNode.set(t.nodeId, [...new Set([...(byNode.get(t.nodeId) ?? []), t.service])]);
    const groups = new Map();
    for (const n of nodes) {
      const g = groupBy ? (n.labels[groupBy] ?? `no ${groupBy}`) : '';
      groups.set(g, [...(groups.get(g) ?? []), n]);
    }
    for (const id of tiles.keys()) if (!state.nodes.has(id)) tiles.delete(id);
    const tileOf = (n) => {
      if (!tiles.has(n.id)) tiles.set(n.id, h('a'));
      const el = tiles.get(n.id);
      fillTile(el, n, byNode.get(n.id) ?? []);
      return el;
    };
    const sections = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => [name ? `${groupBy}=${name}` : '', members]);
    // Sections are kept while the grouping stays; tiles move between them rather than being made again.
    const existing = [...grid.children];
    const same = existing.length === sections.length && existing.every((sec, i) => sec.dataset.group === sections[i][0]);
    if (!same) grid.replaceChildren(...sections.map(([title]) => h('section', { class: 'group', 'data-group': title }, title ? h('h2', {}, title) : null, h('div', { class: 'tiles' }))));
    sections.forEach(([, members], i) => {
      const box = grid.children[i].querySelector('.tiles');
      members.forEach((n, j) => {
        const el = tileOf(n);
        if (box.children[j] !== el) box.insertBefore(el, box.children[j] ?? null);
      });
      while (box.children.length > members.length) box.lastElementChild.remove();
    });
    const hot = nodes.filter((n) => ['hot', 'critical'].includes(heatLevel(n))).length;
    summary.textContent = `${nodes.length} boards, ${nodes.filter((n) => n.status === 'ready').length} ready, ${hot} hot`;
  }
  update();
  return { update };
}
