import { describe, expect, it } from 'vitest';
import {
  ALERTS_TOPIC,
  NODE_TOPIC_KINDS,
  allNodesTopic,
  assertNodeId,
  isValidNodeId,
  nodeTopic,
  parseTopic,
} from '../../shared/topics.js';

describe('topic builders', () => {
  it('build every per-node topic under kelvin/v1/nodes/{id}/{kind}', () => {
    expect(nodeTopic('pi-4', 'telemetry')).toBe('kelvin/v1/nodes/pi-4/telemetry');
    expect(nodeTopic('gpu-1', 'task-status')).toBe('kelvin/v1/nodes/gpu-1/task-status');
    expect(allNodesTopic('facts')).toBe('kelvin/v1/nodes/+/facts');
    expect(ALERTS_TOPIC).toBe('kelvin/v1/alerts');
  });

  it('refuse to build a topic for an invalid node id', () => {
    expect(() => nodeTopic('Pi-4', 'status')).toThrow("invalid node id 'Pi-4': use 1 to 63 lower-case letters, digits and '-'");
    expect(() => nodeTopic('+', 'tasks')).toThrow("invalid node id '+'");
    expect(() => nodeTopic('a/b', 'tasks')).toThrow("invalid node id 'a/b'");
  });
});

describe('node ids', () => {
  it.each([
    ['pi-4', true],
    ['0', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['', false],
    ['Pi-4', false],
    ['pi_4', false],
    ['pi.4', false],
    ['pi 4', false],
    ['#', false],
  ])('%j valid: %s', (id, valid) => {
    expect(isValidNodeId(id)).toBe(valid);
    if (valid) expect(assertNodeId(id)).toBe(id);
    else expect(() => assertNodeId(id)).toThrow(`invalid node id '${id}'`);
  });
});

describe('parseTopic', () => {
  it.each(NODE_TOPIC_KINDS)('reads back the %s topic it builds', (kind) => {
    expect(parseTopic(nodeTopic('jetson-nano', kind))).toEqual({
      ok: true,
      topic: { scope: 'node', nodeId: 'jetson-nano', kind },
    });
  });

  it('reads the alerts topic', () => {
    expect(parseTopic('kelvin/v1/alerts')).toEqual({ ok: true, topic: { scope: 'alerts' } });
  });

  it.each([
    ['kelvin/v1/nodes/Pi-4/status', "topic 'kelvin/v1/nodes/Pi-4/status' names invalid node id 'Pi-4'"],
    ['kelvin/v1/nodes/pi_4/status', "topic 'kelvin/v1/nodes/pi_4/status' names invalid node id 'pi_4'"],
    [`kelvin/v1/nodes/${'a'.repeat(64)}/status`, `names invalid node id '${'a'.repeat(64)}'`],
    ['kelvin/v1/nodes//status', "topic 'kelvin/v1/nodes//status' names invalid node id ''"],
    ['kelvin/v1/nodes/+/status', "names invalid node id '+'"],
    ['kelvin/v1/nodes/pi-4/temperature', "topic 'kelvin/v1/nodes/pi-4/temperature' has unknown kind 'temperature'"],
    ['kelvin/v1/nodes/pi-4/', "has unknown kind ''"],
    ['kelvin/v2/nodes/pi-4/status', "topic 'kelvin/v2/nodes/pi-4/status' is not under kelvin/v1/nodes/{id}/{kind}"],
    ['other/v1/nodes/pi-4/status', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['kelvin/v1/node/pi-4/status', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['kelvin/v1/nodes/pi-4', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['kelvin/v1/nodes/pi-4/status/extra', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['/kelvin/v1/nodes/pi-4/status', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['kelvin/v1/alerts/', 'is not under kelvin/v1/nodes/{id}/{kind}'],
    ['', 'is not under kelvin/v1/nodes/{id}/{kind}'],
  ])('rejects %j', (topic, error) => {
    const r = parseTopic(topic);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});
