import { describe, expect, it } from 'vitest';
import { mergePasswordFiles } from '../../../manager/broker/mosquitto-config.js';

describe('mergePasswordFiles (broker-config --out over an existing kelvin.passwd)', () => {
  it('keeps the boards added with mosquitto_passwd and replaces the accounts it generates', () => {
    const generated = 'kelvin_manager:$7$new\npi-1:$7$joined\n';
    const existing = 'kelvin_manager:$7$old\npi-1:$7$stale\norin-ab12:$7$byhand\n\n';
    expect(mergePasswordFiles(generated, existing)).toBe('kelvin_manager:$7$new\npi-1:$7$joined\norin-ab12:$7$byhand\n');
  });

  it('is the generated file when nothing existed', () => {
    expect(mergePasswordFiles('kelvin_manager:$7$x\n', '')).toBe('kelvin_manager:$7$x\n');
  });
});
