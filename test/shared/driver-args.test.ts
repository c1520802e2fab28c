/** The driver rule applied at create: docker runs an image reference, process runs a command. */
import { describe, expect, it } from 'vitest';
import { driverMismatch } from '../../shared/driver-args.js';

describe('driverMismatch', () => {
  it.each(['busybox', 'busybox:1.36', 'ghcr.io/org/app:1.2', 'localhost:5000/team/app', `app@sha256:${'a'.repeat(64)}`, 'kelvin-test/busybox:latest'])(
    'lets the docker driver run the image %s',
    (image) => expect(driverMismatch('docker', image)).toBeNull(),
  );

  it.each(['/bin/true', './run.sh', '../bin/x', 'sleep', 'python3'])('lets the process driver run the command %s', (word) => {
    expect(driverMismatch('process', word)).toBeNull();
  });

  it('refuses a path for docker and an image for process, saying what to do instead', () => {
    expect(driverMismatch('docker', '/bin/true')).toBe("the docker driver runs an IMAGE, and '/bin/true' is not an image reference (e.g. busybox:1.36); to run a program use --driver process -- /bin/true");
    expect(driverMismatch('docker', 'Upper/Case')).toBe("the docker driver runs an IMAGE, and 'Upper/Case' is not an image reference (e.g. busybox:1.36)");
    expect(driverMismatch('process', 'some/image:tag')).toMatch(/^the process driver runs a COMMAND .* 'some\/image:tag' looks like an image; to run it drop --driver process/);
  });
});
