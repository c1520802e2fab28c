// The dashboard: one live stream of the cluster (server-sent events) kept in `state`, and a view
// per hash route (#/, #/node/ID, #/services, #/events) rendered from it.
import { SessionExpired } from './api.js';
import { renderBoard } from './board.js';
import { h } from './dom.js';
import { renderEvents } from './events.js';
import { renderFleet } from './fleet.js';
import { renderServices } from './services.js';

const MAX_TIMELINE = 500;

export const state = {
  nodes: new Map(),
  services: [],
  tasks: [],
  /** Events and alerts as they arrive, newest first (the timeline view loads the history itself). */
  timeline: [],
  connected: false,
};

const view = document.getElementById('view');
const live = document.getElementById('live');
let current = null;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const node = /^\/node\/(.+)$/.exec(hash);
  if (node) return { name: 'board', id: decodeURIComponent(node[1]) };
  if (hash.startsWith('/services')) return { name: 'services' };
  if (hash.startsWith('/events')) return { name: 'events' };
  return { name: 'fleet' };
}

/** Shows an error in the page; a lost session says how to get a new one. */
export function showError(err) {
  const text = err instanceof SessionExpired ? err.message : `error: ${err.message}`;
  view.replaceChildren(h('p', { class: 'error', role: 'alert' }, text));
}

function render(reason) {
  const r = route();
  const key = r.name === 'board' ? `board:${r.id}` : r.name;
  if (current?.key !== key) {
    current?.dispose?.();
    const renderers = { fleet: renderFleet, board: renderBoard, services: renderServices, events: renderEvents };
    current = { key, ...renderers[r.name](view, state, r) };
  } else current.update?.(reason);
  for (const a of document.querySelectorAll('header nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${r.name === 'fleet' ? '' : r.name}`);
}

function connect() {
  const source = new EventSource('/v1/dashboard/live');
  const on = (name, fn) =>
    source.addEventListener(name, (e) => {
      fn(JSON.parse(e.data));
      render(name);
    });
  on('nodes', (nodes) => {
    for (const n of nodes) state.nodes.set(n.id, n);
  });
  on('removed', (ids) => ids.forEach((id) => state.nodes.delete(id)));
  on('services', ({ services, tasks }) => {
    state.services = services;
    state.tasks = tasks;
  });
  const remember = (kind) => (item) => {
    state.timeline.unshift({ ...item, source: kind });
    state.timeline.length = Math.min(state.timeline.length, MAX_TIMELINE);
  };
  on('event', remember('event'));
  on('alert', remember('alert'));
  source.onopen = () => {
    live.textContent = 'live';
    live.dataset.state = 'live';
  };
  source.onerror = async () => {
    live.textContent = 'reconnecting…';
    live.dataset.state = 'down';
    // EventSource retries on its own; a lost session would only retry forever.
    const res = await fetch('/v1/nodes', { credentials: 'same-origin' }).catch(() => null);
    if (res?.status === 401) {
      source.close();
      showError(new SessionExpired('not logged in (or the session ended): run `kelvin dashboard` for a login link'));
    }
  };
}

window.addEventListener('hashchange', () => render('route'));
render('route');
connect();
