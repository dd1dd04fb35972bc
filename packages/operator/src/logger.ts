// The structured logger the runtime writes to (pino, Lodestar's logger or a test's recorder fit
// it). Libraries below the runtime never log; the runtime logs only through this interface.

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = () => {};

/** A logger that drops everything (the default when none is injected). */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
