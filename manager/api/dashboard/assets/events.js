// Alerts and events on one timeline, newest first, filtered by source, node, severity and text.
import { get } from './api.js';
import { clock, h } from './dom.js';

export function renderEvents(root, state) {
  let history = [];
  const source = h('select', { 'aria-label': 'show' }, h('option', { value: '' }, 'alerts and events'), h('option', { value: 'alert' }, 'alerts only'), h('option', { value: 'event' }, 'events only'));
  const node = h('select', { 'aria-label': 'node' });
  const text = h('input', { type: 'search', placeholder: 'filter text or kind', 'aria-label': 'filter text' });
  const list = h('ol', { class: 'timeline' });
  for (const el of [source, node, text]) el.addEventListener('input', () => update());
  root.replaceChildren(h('h1', {}, 'Alerts and events'), h('div', { class: 'toolbar' }, source, node, text), list);

  async function load() {
    const since = Date.now() - 24 * 3_600_000;
    const [events, alerts] = await Promise.all([get(`/events?since=${since}`), get(`/alerts?since=${since}`)]);
    history = [...events.map((e) => ({ ...e, source: 'event' })), ...alerts.map((a) => ({ ...a, source: 'alert' }))];
    update();
  }

  function update() {
    const chosen = node.value;
    node.replaceChildren(h('option', { value: '' }, 'every node'), ...[...state.nodes.values()].map((n) => h('option', { value: n.id, selected: n.id === chosen }, n.hostname)));
    const seen = new Set();
    const items = [...state.timeline, ...history]
      .filter((i) => {
        const key = `${i.source}:${i.id ?? `${i.kind}:${i.at}:${i.nodeId}`}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .filter((i) => !source.value || i.source === source.value)
      .filter((i) => !chosen || i.nodeId === chosen || i.subject === chosen)
      .filter((i) => !text.value || `${i.kind} ${i.message}`.toLowerCase().includes(text.value.toLowerCase()))
      .sort((a, b) => b.at - a.at)
      .slice(0, 300);
    list.replaceChildren(
      ...items.map((i) => h('li', { class: `item ${i.source} sev-${i.severity ?? 'info'}` }, h('time', {}, clock(i.at)), h('span', { class: 'kind' }, `${i.source === 'alert' ? `⚠ ${i.severity}` : 'event'} · ${i.kind}`), h('span', {}, i.message))),
    );
    if (items.length === 0) list.append(h('li', {}, 'nothing matches'));
  }
  update();
  load().catch((err) => list.replaceChildren(h('li', { class: 'error' }, err.message)));
  return { update: (reason) => (reason === 'event' || reason === 'alert' ? update() : undefined) };
}
