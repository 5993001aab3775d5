/*
 * How an absolute source path nests in a snapshot's root tree: one tree level
 * per path component, as restic does. POSIX '/home/me/.openclaw' becomes
 * home → me → .openclaw; Windows 'C:\Users\me\.openclaw' becomes C → Users → me → .openclaw.
 */
import { posix, win32 } from 'node:path';

/** One level of the nesting: the tree entry name and the absolute path it stands for. */
export interface RootComponent {
  name: string;
  abs: string;
}

/**
 * Components of an absolute path, each with its absolute path.
 * @param platform 'win32' for Windows path rules (tested with path.win32 on any OS)
 */
export function rootComponents(absPath: string, platform: NodeJS.Platform = process.platform): RootComponent[] {
  const p = platform === 'win32' ? win32 : posix;
  const norm = p.resolve(absPath);
  const { root } = p.parse(norm);
  const rest = norm.slice(root.length).split(p.sep).filter((s) => s.length > 0);
  const out: RootComponent[] = [];
  let cur = root;
  if (platform === 'win32') {
    // 'C:\' → 'C'; UNC '\\server\share\' → 'server', 'share'
    const parts = root.split(/[\\/]+/).filter((s) => s.length > 0);
    let acc = '';
    for (const part of parts) {
      acc = acc ? `${acc}\\${part}` : root.startsWith('\\\\') ? `\\\\${part}` : part;
      out.push({ name: part.replace(/:$/, ''), abs: /^[A-Za-z]:$/.test(part) ? `${part}\\` : acc });
    }
  }
  for (const c of rest) {
    cur = p.join(cur, c);
    out.push({ name: c, abs: cur });
  }
  return out;
}
