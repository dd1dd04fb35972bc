// Compiles every .sol file under contracts/ with the pinned solc (the wasm build bundled in the npm
// package: nothing is downloaded) and writes one typed module per contract to src/generated/:
// `export const <name>Abi = [...] as const; export const <name>Bytecode = '0x...' as const;`.
//
//   node scripts/compile.ts            compile if the inputs changed (hash in src/generated/index.ts)
//   node scripts/compile.ts --force    compile even if nothing changed
//   node scripts/compile.ts --check    exit 1 if src/generated is stale (no writes)
//
// Imports: `@openzeppelin/...` resolves from node_modules; relative imports are resolved by solc
// against the importing file's path and read from this package. Nothing else is readable.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = join(packageRoot, 'contracts');
const generatedDir = join(packageRoot, 'src', 'generated');
const testGeneratedDir = join(packageRoot, 'test', 'generated');
const openZeppelinRoot = dirname(require.resolve('@openzeppelin/contracts/package.json'));
const openZeppelinVersion: string = JSON.parse(
  readFileSync(join(openZeppelinRoot, 'package.json'), 'utf8'),
).version;

// Settings are part of the input hash: change them and everything recompiles.
const settings = {
  evmVersion: 'prague',
  viaIR: false,
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

type SolcError = {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
  sourceLocation?: unknown;
};
type SolcContract = {
  abi: unknown[];
  evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
};
type SolcOutput = {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, SolcContract>>;
};

function listSolidityFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSolidityFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.sol')) files.push(path);
  }
  return files.sort();
}

// Source unit names are package-relative with forward slashes: `contracts/Foo.sol`.
function unitName(path: string): string {
  return relative(packageRoot, path).split(sep).join('/');
}

function findImports(importPath: string): { contents: string } | { error: string } {
  if (importPath.startsWith('@openzeppelin/contracts/')) {
    const file = join(openZeppelinRoot, importPath.slice('@openzeppelin/contracts/'.length));
    if (!file.startsWith(openZeppelinRoot + sep))
      return { error: `import outside OpenZeppelin: ${importPath}` };
    if (!existsSync(file)) return { error: `no such OpenZeppelin file: ${importPath}` };
    return { contents: readFileSync(file, 'utf8') };
  }
  const file = resolve(packageRoot, importPath);
  if (!file.startsWith(contractsDir + sep)) return { error: `import outside contracts/: ${importPath}` };
  if (!existsSync(file)) return { error: `no such file: ${importPath}` };
  return { contents: readFileSync(file, 'utf8') };
}

function lowerFirst(name: string): string {
  // DivETH -> divEth? Keep acronyms readable: only the first character changes.
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  const solc = require('solc') as { version(): string; compile(input: string, callbacks: unknown): string };
  const files = listSolidityFiles(contractsDir);
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[unitName(file)] = { content: readFileSync(file, 'utf8') };

  // `generator` changes when what this script writes changes, so artifacts of an older layout recompile.
  const hash = createHash('sha256')
    .update(JSON.stringify({ generator: 2, solc: solc.version(), openZeppelinVersion, settings, sources }))
    .digest('hex');
  const indexPath = join(generatedDir, 'index.ts');
  const current = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : '';
  const upToDate = current.includes(`export const sourcesHash = '${hash}';`);
  if (args.has('--check')) {
    if (!upToDate) {
      console.error('src/generated is stale: run `pnpm --filter @diva-dvt/contracts compile`');
      process.exit(1);
    }
    console.error('src/generated is up to date');
    return;
  }
  if (upToDate && !args.has('--force')) {
    console.error(`contracts unchanged (${files.length} files), skipping solc`);
    return;
  }

  const started = performance.now();
  const input = { language: 'Solidity', sources, settings };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) {
    if (e.severity !== 'info') console.error(e.formattedMessage);
  }
  if (errors.length > 0) {
    console.error(`solc: ${errors.length} error(s)`);
    process.exit(1);
  }

  // Only contracts declared in our sources get a module (not OpenZeppelin's), and of those only the
  // deployable ones (harnesses go to test/generated/).
  const modules = new Map<string, string>();
  const harnesses = new Map<string, string>();
  const seen = new Set<string>();
  const customErrors = new Map<string, unknown>();
  for (const unit of Object.keys(sources).sort()) {
    const contracts = output.contracts?.[unit] ?? {};
    for (const name of Object.keys(contracts).sort()) {
      const contract = contracts[name]!;
      if (seen.has(name)) {
        console.error(`two contracts named ${name}: names must be unique across contracts/`);
        process.exit(1);
      }
      seen.add(name);
      const id = lowerFirst(name);
      for (const item of contract.abi as { type: string; name?: string; inputs?: { type: string }[] }[]) {
        if (item.type !== 'error') continue;
        const signature = `${item.name}(${(item.inputs ?? []).map((input) => input.type).join(',')})`;
        if (!customErrors.has(signature)) customErrors.set(signature, item);
      }
      const deployedSize = contract.evm.deployedBytecode.object.length / 2;
      if (deployedSize > 24_576)
        console.error(`warning: ${name} runtime code is ${deployedSize} bytes (> 24,576)`);
      const harness = name.endsWith('Harness');
      const deployable =
        !unit.slice('contracts/'.length).includes('/') && contract.evm.bytecode.object !== '';
      if (!harness && !deployable) continue;
      (harness ? harnesses : modules).set(
        name,
        [
          `// Generated by scripts/compile.ts from ${unit} (solc ${solc.version()}). Do not edit.`,
          `export const ${id}Abi = ${JSON.stringify(contract.abi)} as const;`,
          `export const ${id}Bytecode = '0x${contract.evm.bytecode.object}' as const;`,
          '',
        ].join('\n'),
      );
    }
  }

  mkdirSync(generatedDir, { recursive: true });
  for (const entry of readdirSync(generatedDir)) {
    if (entry.endsWith('.ts')) rmSync(join(generatedDir, entry));
  }
  for (const [name, text] of modules) writeFileSync(join(generatedDir, `${name}.ts`), text);
  mkdirSync(testGeneratedDir, { recursive: true });
  for (const entry of readdirSync(testGeneratedDir)) {
    if (entry.endsWith('.ts')) rmSync(join(testGeneratedDir, entry));
  }
  for (const [name, text] of harnesses) writeFileSync(join(testGeneratedDir, `${name}.ts`), text);
  const names = [...modules.keys()];
  writeFileSync(
    indexPath,
    [
      '// Generated by scripts/compile.ts. Do not edit.',
      '// ABIs (`abi as const`) and creation bytecode of the deployable contracts: the `./abis` entry point.',
      ...names.map((name) => {
        const id = lowerFirst(name);
        return `export { ${id}Abi, ${id}Bytecode } from './${name}.ts';`;
      }),
      '/** Every custom error of every contract, to decode reverts that come from a contract called in between. */',
      `export const errorsAbi = ${JSON.stringify([...customErrors.keys()].sort().map((k) => customErrors.get(k)))} as const;`,
      `export const solcVersion = '${solc.version()}';`,
      `export const sourcesHash = '${hash}';`,
      '',
    ].join('\n'),
  );
  // The generated files follow the repository's formatting, so lint and diffs stay clean.
  const biome = require.resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'check', '--write', generatedDir, testGeneratedDir], {
    stdio: 'ignore',
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `compiled ${files.length} files: ${names.length} deployable contracts, ${harnesses.size} test harnesses in ${seconds} s`,
  );
}

main();
