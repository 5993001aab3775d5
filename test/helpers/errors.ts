/*
 * Test helpers for typed errors.
 */
import { ClawbackError } from '../../src/core/errors.js';

/** The stable code `p` rejects with, or 'no error' when it resolves; anything not a ClawbackError is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    if (e instanceof ClawbackError) return e.code;
    throw e;
  }
}
