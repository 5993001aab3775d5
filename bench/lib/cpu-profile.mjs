/*
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self and inclusive time per
 * function, top functions by self time. Sample i lasts until sample i + 1
 * (as Chrome DevTools counts it).
 */
import { readFileSync } from 'node:fs';

/** Top functions of a .cpuprofile by self time. */
export function summarizeProfile(path, { top = 15, root = '' } = {}) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    const url = f.url.replace(/^file:\/\//, '').replace(root, '');
    const name = f.functionName || '(anonymous)';
    return url ? `${name} ${url}:${f.lineNumber + 1}` : name;
  };
  const self = new Map();
  const total = new Map();
  let sum = 0;
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000; // ms
    sum += dt;
    const node = byId.get(samples[i]);
    const k = keyOf(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const kk = keyOf(byId.get(id));
      if (seen.has(kk)) continue;
      seen.add(kk);
      total.set(kk, (total.get(kk) ?? 0) + dt);
    }
  }
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, selfMs: ms, selfPct: (100 * ms) / sum, totalPct: (100 * (total.get(fn) ?? 0)) / sum }));
  return { totalMs: sum, rows };
}
