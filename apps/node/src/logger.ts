// The runtime's Logger on pino: one JSON line per event on stdout, with the fields as properties.
import type { Logger } from '@diva-dvt/operator';
import { pino } from 'pino';
import type { LogLevel } from './config.ts';

export function createPinoLogger(
  level: LogLevel,
  destination?: NodeJS.WritableStream,
): Logger & { flush(): void } {
  const p =
    destination === undefined
      ? pino({ level, base: { name: 'diva-node' } })
      : pino({ level, base: { name: 'diva-node' } }, destination);
  return {
    debug: (message, fields) => p.debug(fields ?? {}, message),
    info: (message, fields) => p.info(fields ?? {}, message),
    warn: (message, fields) => p.warn(fields ?? {}, message),
    error: (message, fields) => p.error(fields ?? {}, message),
    flush: () => p.flush(),
  };
}
