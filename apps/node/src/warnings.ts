// Node prints an ExperimentalWarning to stderr when `node:sqlite` loads (the slashing-protection
// database). Operators read that line as a fault on every start, so the binary drops that one
// warning; every other warning is printed as before. Library users keep Node's behaviour: only the
// `diva-node` entry point installs this.

type EmitWarning = typeof process.emitWarning;

/** True for the warning Node emits when `node:sqlite` is loaded. */
export function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions?: unknown): boolean {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type =
    typeof warning !== 'string'
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : (typeOrOptions as { type?: unknown } | undefined)?.type;
  return type === 'ExperimentalWarning' && /\bSQLite\b/.test(message);
}

/** Wraps `process.emitWarning` so the SQLite ExperimentalWarning is not printed. */
export function silenceSqliteExperimentalWarning(): void {
  const original: EmitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    (original as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as EmitWarning;
}
