/**
 * Turning whatever a check caught into a denial's reason. The thrown value comes from the
 * application's objects (a getter, a Proxy trap) and may itself be hostile: its `name`,
 * `message` or `toString` may throw, or it may be a Proxy whose every trap throws. Describing it
 * must never throw, so every read is guarded and the text is cut to one short line.
 */
import { denial } from './policy.js';
import type { Decision } from './types.js';

/** Longest description of a thrown value kept in a reason. */
const MAX = 200;

/** One line saying what was thrown; never throws. */
export function describeThrown(error: unknown): string {
  let text: string;
  try {
    if (error instanceof Error) {
      const { name, message } = error;
      text = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : '?'}`;
    } else {
      // a string as it is, a number or symbol as `String` writes it; never an object's toString
      text = `an error: ${typeof error === 'object' && error !== null ? 'an object' : String(error)}`;
    }
  } catch {
    text = 'an error it cannot describe';
  }
  text = text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text;
}

/** The denial for a check that threw: code `error`, the thrown value in the reason. */
export function failure(error: unknown): Decision {
  return denial('error', `denied: the check failed with ${describeThrown(error)}`);
}

/**
 * The denial of a check that failed at the very edge of the call stack, where describing the
 * failure (a call to {@link failure}) overflows it again. A constant, so that the `catch` of a
 * public entry returns it without a call: `catch (e) { try { return failure(e) } catch { return EXHAUSTED } }`.
 */
export const EXHAUSTED: Decision = /* @__PURE__ */ denial('error', 'denied: the check failed at the edge of the call stack');
