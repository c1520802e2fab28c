/** The event log under a noisy subject: repeats collapse into one counted row; retention by age and per-subject quota. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLimits } from '../../../manager/store/event-limits.js';
import type { Change } from '../../../manager/store/records.js';
import { Store } from '../../../manager/store/store.js';

let dir: string;
let now: number;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-events-'));
  now = 1_000_000;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (limits: Partial<EventLimits> = {}): Store =>
  (store = Store.open(join(dir, 'kelvin.db'), { now: () => now, eventLimits: limits }));

describe('event rate limit', () => {
  it('writes the first events of a (kind, subject) a window, then counts the rest in one summary row', () => {
    open({ perWindow: 3, windowMs: 60_000 });
    const created: string[] = [];
    store.on('change', (changes: Change[]) => {
      for (const c of changes) if (c.kind === 'event') created.push(c.after.message);
    });
    store.addEvent('node.down', 'pi-1', 'pi-1 down');
    for (let i = 0; i < 1234 + 3; i++) {
      now += 10;
      store.addEvent('node.reboot', 'pi-1', `node pi-1 rebooted (${i})`, { bootId: `b${i}` });
    }
    store.addEvent('node.reboot', 'pi-2', 'node pi-2 rebooted');
    const events = store.listEvents();
    expect(events.map((e) => [e.kind, e.subject, e.message])).toEqual([
      ['node.down', 'pi-1', 'pi-1 down'],
      ['node.reboot', 'pi-1', 'node pi-1 rebooted (0)'],
      ['node.reboot', 'pi-1', 'node pi-1 rebooted (1)'],
      ['node.reboot', 'pi-1', 'node pi-1 rebooted (2)'],
      ['node.reboot', 'pi-1', 'node.reboot x1234 in the last minute: node pi-1 rebooted (1236)'],
      ['node.reboot', 'pi-2', 'node pi-2 rebooted'],
    ]);
    expect(events[4]?.details).toEqual({ bootId: 'b1236', repeats: 1234 });
    // Live followers hear of the summary once, when it is created.
    expect(created.filter((m) => m.includes(' x'))).toEqual(['node.reboot x1 in the last minute: node pi-1 rebooted (3)']);

    now += 60_000; // a new window: rows again, then a new summary
    for (let i = 0; i < 5; i++) store.addEvent('node.reboot', 'pi-1', 'again');
    expect(store.listEvents({ afterId: events[5]?.id }).map((e) => e.message)).toEqual(['again', 'again', 'again', 'node.reboot x2 in the last minute: again']);
  });
});

describe('event retention', () => {
  it('keeps a quota per subject, so one subject cannot evict another\'s history', () => {
    open({ perWindow: 1_000_000, perSubject: 20, total: 1_000_000 });
    store.addEvent('node.join', 'pi-2', 'pi-2 joined');
    for (let i = 0; i < 500; i++) store.addEvent('node.reboot', 'pi-1', `r${i}`);
    const events = store.listEvents();
    expect(events[0]?.message).toBe('pi-2 joined');
    expect(events.filter((e) => e.subject === 'pi-1').map((e) => e.message)).toEqual(Array.from({ length: 20 }, (_, i) => `r${480 + i}`));
  });

  it('drops events older than maxAgeMs', () => {
    open({ perWindow: 1_000_000, maxAgeMs: 50_000 });
    for (let i = 1; i <= 100; i++) {
      now += 1000;
      store.addEvent('task.update', `task-${i}`, `e${i}`); // the 100th insert prunes by age
    }
    expect(store.listEvents().map((e) => e.message)).toEqual(Array.from({ length: 51 }, (_, i) => `e${50 + i}`));
  });
});
