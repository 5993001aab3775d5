/*
 * The in-memory backend: the conformance suite, plus what only it has
 * (separate instances share nothing, byteSize counts what is stored).
 */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend-memory.js';
import { listAll } from '../../src/store/backend.js';
import { backendConformance, testBytes } from './backend-conformance.js';

backendConformance('MemoryBackend', async () => ({ backend: new MemoryBackend(), dispose: async () => {} }));

describe('MemoryBackend', () => {
  it('keeps instances apart and names each location', async () => {
    const a = new MemoryBackend();
    const b = new MemoryBackend();
    await a.write('data', 'ab01', testBytes(5, 1));
    expect(await listAll(b, 'data')).toEqual([]);
    expect(a.location()).toMatch(/^memory:\d+$/);
    expect(a.location()).not.toBe(b.location());
  });

  it('counts stored bytes over all types', async () => {
    const m = new MemoryBackend();
    await m.write('data', 'ab01', testBytes(5, 1));
    await m.write('config', 'config', testBytes(7, 2));
    expect(m.byteSize).toBe(12);
    await m.delete('data', 'ab01');
    expect(m.byteSize).toBe(7);
  });
});
