// The workspace's packages as the checks see them: name, folder, whether private, and each public
// entry point (package.json `exports`) with the source file it is built from (dist/x.js <- src/x.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (the folder holding pnpm-workspace.yaml). */
export const workspaceRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export interface EntryPoint {
  /** Package name and subpath, e.g. `@diva-dvt/consensus/sim`. */
  specifier: string;
  packageName: string;
  /** The TypeScript source the entry is built from. */
  sourceFile: string;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  private: boolean;
  entryPoints: EntryPoint[];
}

interface PackageJson {
  name: string;
  private?: boolean;
  exports?: Record<string, string | { default?: string }>;
}

/** Every package under packages/ and apps/, sorted by folder. */
export function listPackages(root = workspaceRoot): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const folder of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, folder);
      const pkgFile = join(dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as PackageJson;
      const entryPoints: EntryPoint[] = [];
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        const file = typeof target === 'string' ? target : target.default;
        if (!file?.startsWith('./dist/') || !file.endsWith('.js')) continue;
        entryPoints.push({
          specifier: pkg.name + subpath.slice(1),
          packageName: pkg.name,
          sourceFile: join(dir, file.replace('./dist/', 'src/').replace(/\.js$/, '.ts')),
        });
      }
      out.push({ name: pkg.name, dir, private: pkg.private === true, entryPoints });
    }
  }
  return out;
}

/** Every `.ts` file below a folder (recursive), sorted. */
export function listSourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}
