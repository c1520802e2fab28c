// Services: replicas, where they run, why tasks wait, and scaling.
import { post } from './api.js';
import { h } from './dom.js';

export function renderServices(root, state) {
  const status = h('p', { class: 'action-status', role: 'status' });
  const table = h('div', { class: 'table-wrap' });
  root.replaceChildren(h('h1', {}, 'Services'), status, table);

  async function scale(service, input) {
    const replicas = Number(input.value);
    try {
      await post(`/services/${encodeURIComponent(service.id)}/scale`, { replicas });
      status.textContent = `${service.name} scaled to ${replicas}`;
    } catch (err) {
      status.textContent = `could not scale ${service.name}: ${err.message}`;
    }
  }

  function update() {
    const hostOf = (id) => state.nodes.get(id)?.hostname ?? id ?? '–';
    const rows = state.services.map((s) => {
      const tasks = state.tasks.filter((t) => t.serviceId === s.id);
      const where = [...new Set(tasks.filter((t) => t.state === 'running').map((t) => hostOf(t.nodeId)))].sort();
      const pending = [...new Set(tasks.filter((t) => t.state === 'pending' && t.message).map((t) => t.message))];
      const input = h('input', { type: 'number', min: 0, value: s.desired, 'aria-label': `replicas of ${s.name}`, size: 4 });
      return h(
        'tr',
        { 'data-service': s.name },
        h('td', {}, s.name, s.stack ? h('small', {}, ` (stack ${s.stack})`) : null),
        h('td', {}, s.mode),
        h('td', {}, `${s.running}/${s.desired}`),
        h('td', {}, where.join(', ') || '–'),
        h('td', {}, s.update?.state ?? `version ${s.version}`),
        h('td', {}, pending.join('; ') || '–'),
        h('td', {}, s.mode === 'replicated' ? h('span', { class: 'scale' }, input, h('button', { type: 'button', onclick: () => scale(s, input) }, 'Scale')) : '–'),
      );
    });
    table.replaceChildren(
      state.services.length === 0
        ? h('p', {}, 'No services. Create one with kelvin service create.')
        : h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Mode', 'Running', 'Where', 'Update', 'Pending because', 'Scale'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)),
    );
  }
  update();
  // A re-render while the user types a replica count would throw the number away.
  return {
    update: (reason) => {
      if (reason === 'services' && document.activeElement?.tagName !== 'INPUT') update();
    },
  };
}
