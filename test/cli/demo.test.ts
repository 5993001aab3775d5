// The demo (`npm run demo` runs dist/src/cli/demo.js): it exits 0 and says what it checked.
import { describe, expect, it } from 'vitest';
import { DEMO, HAVE_RDIFF, run } from './harness.js';

describe('demo', () => {
  it('runs, checks every result and exits 0', { timeout: 180_000 }, async () => {
    const r = await run(process.execPath, [DEMO]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/session\.jsonl\s+8\.\d MB/);
    expect(out).toMatch(/memory\.sqlite\s+12\.\d MB/);
    // both formats, both files: delta ratio and the byte-for-byte check
    expect(out.match(/delta\s+[\d.]+ KB =\s+[\d.]+% of the/g)).toHaveLength(4);
    expect(out.match(/byte-identical to the new file/g)).toHaveLength(4);
    if (HAVE_RDIFF) expect(out.match(/rdiff's signature is byte-identical to ours/g)).toHaveLength(2);
    else expect(out).toMatch(/rdiff is not on PATH/);
    expect(out).toMatch(/^Done in [\d.]+ s/m);
  });

  it('--json prints one result line', { timeout: 180_000 }, async () => {
    const r = await run(process.execPath, [DEMO, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ command: 'demo', ok: true });
  });
});
