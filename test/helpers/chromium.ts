// Where the browser tests find Chromium: CHROMIUM_PATH, then the usual names on PATH. Without one,
// the browser suite is skipped with the line that installs it — except under CI (CI=1, .ci/run),
// where a missing browser fails the run instead of passing it quietly.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH !== '') return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export const INSTALL_CHROMIUM = 'headless Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH';

/** Whether this run must have a browser: CI sets CI (GitHub Actions, .ci/run). */
export const browserRequired = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
