import { describe, expect, it } from 'vitest';
import { boardPlatform, imagePlatforms, MAX_IMAGE_PLATFORMS, platformFits, platformMismatch } from '../../shared/image-platform.js';

describe('image platforms', () => {
  it("names a board's platform the way images do", () => {
    expect(boardPlatform('linux', 'x86_64')).toEqual({ os: 'linux', arch: 'amd64' });
    expect(boardPlatform('Linux', 'aarch64')).toEqual({ os: 'linux', arch: 'arm64' });
    expect(boardPlatform('linux', 'armv7l')).toEqual({ os: 'linux', arch: 'arm', variant: 'v7' });
    expect(boardPlatform('linux', 'armv6l')).toEqual({ os: 'linux', arch: 'arm', variant: 'v6' });
  });

  it('fits by os and architecture, and a 32-bit ARM board runs images of its ARM version or older', () => {
    const v7 = boardPlatform('linux', 'armv7l');
    expect(platformFits({ os: 'linux', arch: 'arm', variant: 'v6' }, v7)).toBe(true);
    expect(platformFits({ os: 'linux', arch: 'arm' }, v7)).toBe(true);
    expect(platformFits({ os: 'linux', arch: 'arm', variant: 'v7' }, boardPlatform('linux', 'armv6l'))).toBe(false);
    expect(platformFits({ os: 'linux', arch: 'arm64', variant: 'v8' }, boardPlatform('linux', 'aarch64'))).toBe(true);
    expect(platformFits({ os: 'linux', arch: 'aarch64' }, boardPlatform('linux', 'aarch64'))).toBe(true);
    expect(platformFits({ os: 'windows', arch: 'amd64' }, boardPlatform('linux', 'x86_64'))).toBe(false);
    expect(platformFits({ os: 'linux', arch: 'amd64' }, boardPlatform('linux', 'aarch64'))).toBe(false);
  });

  it('says what the image is and what the board is', () => {
    const arm = boardPlatform('linux', 'aarch64');
    expect(platformMismatch('x:1', [{ os: 'linux', arch: 'amd64' }], arm)).toBe('image x:1 is linux/amd64, this board is linux/arm64');
    expect(platformMismatch('x:1', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'ppc64le' }], arm)).toBe('image x:1 is linux/amd64, linux/ppc64le; this board is linux/arm64');
  });

  it('bounds what a board may report', () => {
    const many = Array.from({ length: MAX_IMAGE_PLATFORMS + 1 }, () => ({ os: 'linux', arch: 'amd64' }));
    expect(imagePlatforms.safeParse(many).success).toBe(false);
    expect(imagePlatforms.safeParse([{ os: 'linux', arch: 'x'.repeat(33) }]).success).toBe(false);
    expect(imagePlatforms.safeParse([{ os: 'linux', arch: 'amd 64' }]).success).toBe(false);
    expect(imagePlatforms.safeParse([{ os: 'linux', arch: 'arm', variant: 'v7' }]).success).toBe(true);
  });
});
