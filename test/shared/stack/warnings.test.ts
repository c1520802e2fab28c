import { describe, expect, it } from 'vitest';
import { fixture, parseOk } from './parse-helpers.js';

describe('parseStackFile warnings', () => {
  it('lists each key Kelvin does not act on with its path and line, and still deploys', () => {
    const result = parseOk(fixture('ignored-keys.yml'));
    expect(result.services.map((s) => [s.image, s.ports.length])).toEqual([['nginx:1.27', 1]]);
    const ignored = (path: string, line: number): string => `${path}: ignored: Kelvin does not act on this key (line ${line})`;
    expect(result.warnings).toEqual([
      ignored('services.web.container_name', 9),
      "services.web: named volume 'data' keeps its data on one board, and this replicated service has no placement constraint: a task placed elsewhere starts with an empty volume (pin it, e.g. deploy.placement.constraints: [node.hostname==...]) (line 5)",
    ]);
  });

  it('is silent for a plain stack', () => {
    expect(parseOk('version: "3"\nservices:\n  web:\n    image: busybox\n').warnings).toEqual([]);
  });
});
