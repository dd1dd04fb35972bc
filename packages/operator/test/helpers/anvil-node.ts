// A real Anvil (Prague, port 0) for the operator's chain tests, spawned directly as the EVM recipe
// says. The binary is the one @diva-dvt/contracts tests with (its @foundry-rs/anvil platform package,
// found through that package), so both packages run one pinned node. Every Anvil started here is
// killed by `stop()` or, failing that, on exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { anvilBinary } from '@diva-dvt/test-vectors';

/** The binary @diva-dvt/contracts tests with (found through that package: it depends on Anvil). */
const anvilBinaryPath = () =>
  anvilBinary(createRequire(import.meta.url).resolve('@diva-dvt/contracts/package.json'));

export interface AnvilNode {
  /** The JSON-RPC URL; dev account 0 (0xf39F…2266) is unlocked and funded. */
  readonly url: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

export async function startAnvil(timeoutMs = 20_000): Promise<AnvilNode> {
  const proc = spawn(anvilBinaryPath(), ['--host', '127.0.0.1', '--port', '0', '--hardfork', 'prague'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    running.delete(proc);
  };
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`Anvil did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    proc.once('exit', (code) => reject(new Error(`Anvil exited (${code}) before listening`)));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.resume();
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  proc.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  return { url, stop };
}
