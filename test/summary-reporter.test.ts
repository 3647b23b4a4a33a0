// The last line of `npm test` is what CI reads: it must agree with vitest's exit code (issue 15).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserRequired, findChromium } from './helpers/chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the summary line', () => {
  it('counts a suite whose beforeAll failed, so "N failed" agrees with the exit code', () => {
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/summary/vitest.config.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '' } });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed, 1 skipped');
  });
});

describe('finding Chromium for the browser suite', () => {
  it('takes CHROMIUM_PATH, then PATH; nothing found is undefined', () => {
    expect(findChromium({ PATH: '' })).toBeUndefined();
    expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chromium', PATH: '/usr/bin' })).toBeUndefined();
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });

  it('a browser is required under CI only', () => {
    expect(browserRequired({ CI: 'true' })).toBe(true);
    expect(browserRequired({ CI: '1' })).toBe(true);
    expect(browserRequired({})).toBe(false);
    expect(browserRequired({ CI: 'false' })).toBe(false);
  });
});
