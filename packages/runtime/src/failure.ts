/**
 * Turning whatever a check caught into a denial's reason. The thrown value comes from the
 * application's objects (a getter, a Proxy trap) and may itself be hostile: its `name`,
 * `message` or `toString` may throw, or it may be a Proxy whose every trap throws. Describing it
 * must never throw, so every read is guarded and the text is cut to one short line.
 */
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
  return Object.freeze({ allow: false, code: 'error', reason: `denied: the check failed with ${describeThrown(error)}`, rule: undefined });
}
