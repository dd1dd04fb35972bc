// Every ```ts block of a package README compiles as written: the blocks are written into a scratch
// folder inside the package (so the package's own name and its dependencies resolve as a user's
// would, through `exports` to the built declarations) and type-checked with the package's
// compiler settings.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { workspaceRoot } from './workspace.ts';

export interface ReadmeExample {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  code: string;
}

/** The ```ts and ```typescript blocks of a Markdown text. */
export function extractTsBlocks(markdown: string): ReadmeExample[] {
  const out: ReadmeExample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*```(ts|typescript)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    out.push({ line: start + 1, code: `${body.join('\n')}\n` });
  }
  return out;
}

/** Type-checks a package README's examples; returns one message per diagnostic (empty: all compile). */
export function checkReadmeExamples(packageDir: string): { examples: number; errors: string[] } {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const examples = extractTsBlocks(readme);
  if (examples.length === 0) return { examples: 0, errors: [] };
  const scratch = join(packageDir, '.readme-examples');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const files = examples.map((example, i) => {
      const file = join(scratch, `example-${i + 1}.ts`);
      // `export {}` makes each block a module, so top-level await and names stay per block.
      writeFileSync(file, `${example.code}export {};\n`);
      return file;
    });
    const configPath = join(packageDir, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, ts.sys.readFile.bind(ts.sys));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, packageDir);
    const program = ts.createProgram(files, { ...parsed.options, noEmit: true, types: ['node'] });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return message;
      const index = files.indexOf(d.file.fileName);
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const where =
        index >= 0
          ? `${relative(workspaceRoot, join(packageDir, 'README.md'))}:${(examples[index]?.line ?? 0) + 1 + line}`
          : relative(workspaceRoot, d.file.fileName);
      return `${where}: ${message}`;
    });
    return { examples: examples.length, errors };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
