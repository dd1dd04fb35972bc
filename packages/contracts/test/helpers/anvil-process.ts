// Anvil started by the tests: the binary from @foundry-rs/anvil's platform package (found by
// @diva-dvt/test-vectors' `anvilBinary` from this package, which depends on it), spawned directly
// on port 0 with the Prague hardfork; a viem test client (public + wallet actions) that does not hang;
// Every Anvil started here is killed by stop() and, failing that, on process exit. No vitest here, so
// scripts can use it too; test/helpers/anvil.ts adds the per-file lifecycle (useAnvil).
import { type ChildProcess, spawn } from 'node:child_process';
import { anvilBinary } from '@diva-dvt/test-vectors';
import {
  type Abi,
  type Account,
  type Address,
  type ContractConstructorArgs,
  createTestClient,
  type Hex,
  http,
  publicActions,
  walletActions,
} from 'viem';
import { foundry } from 'viem/chains';

/** Anvil's dev account 0 (unlocked on the node, the default sender of the client). */
export const DEV_ACCOUNT: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

export type AnvilOptions = {
  /** Extra command-line flags, e.g. `['--code-size-limit', '49152']`. */
  args?: readonly string[];
  /** Unlocked dev accounts (default 10, each with `balanceEth`). */
  accounts?: number;
  /** Balance of each dev account in ETH (default 10,000). */
  balanceEth?: number;
  /** Block gas limit (default Anvil's 30,000,000). */
  gasLimit?: bigint;
  startTimeoutMs?: number;
};

export function createAnvilClient(url: string, account: Address | Account = DEV_ACCOUNT) {
  return createTestClient({
    mode: 'anvil',
    chain: foundry,
    cacheTime: 0,
    pollingInterval: 50,
    account,
    transport: http(url, { retryCount: 0, timeout: 30_000 }),
  })
    .extend(publicActions)
    .extend(walletActions);
}

export type AnvilClient = ReturnType<typeof createAnvilClient>;

export type Anvil = {
  url: string;
  port: number;
  client: AnvilClient;
  /** SIGTERM and wait for the process to exit. Idempotent. */
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const args = ['--host', '127.0.0.1', '--port', '0', '--hardfork', 'prague'];
  if (options.accounts !== undefined) args.push('--accounts', String(options.accounts));
  if (options.balanceEth !== undefined) args.push('--balance', String(options.balanceEth));
  if (options.gasLimit !== undefined) args.push('--gas-limit', String(options.gasLimit));
  args.push(...(options.args ?? []));
  const proc = spawn(anvilBinary(import.meta.url), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  exited.then(() => running.delete(proc));

  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(
        new Error(`anvil: not listening after ${options.startTimeoutMs ?? 10_000} ms: ${output.slice(-500)}`),
      );
    }, options.startTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        proc.stdout?.resume(); // keep draining, or Anvil blocks on a full pipe
        resolve(Number(match[1]));
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`anvil: exited before listening (code ${code}, signal ${signal}): ${output.slice(-500)}`),
      );
    });
  });
  proc.stderr?.resume();
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    port,
    client: createAnvilClient(url),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Deploys a contract from the dev account (or `account`) and waits for it; returns its address. */
export async function deploy<const abi extends Abi>(
  client: AnvilClient,
  parameters: {
    abi: abi;
    bytecode: Hex;
    args?: ContractConstructorArgs<abi>;
    value?: bigint;
    account?: Address | Account;
  },
): Promise<Address> {
  const hash = await client.deployContract({
    abi: parameters.abi,
    bytecode: parameters.bytecode,
    args: parameters.args,
    value: parameters.value,
    account: parameters.account ?? DEV_ACCOUNT,
    chain: foundry,
  } as Parameters<AnvilClient['deployContract']>[0]);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deploy failed: ${hash}`);
  return receipt.contractAddress;
}

/** Sends a contract write and waits for a successful receipt (throws with the revert otherwise). */
export async function send(
  client: AnvilClient,
  parameters: Parameters<AnvilClient['writeContract']>[0],
): Promise<Awaited<ReturnType<AnvilClient['waitForTransactionReceipt']>>> {
  // Simulate first so a revert surfaces as a decoded ContractFunctionRevertedError.
  await client.simulateContract(parameters as Parameters<AnvilClient['simulateContract']>[0]);
  // Without an explicit gas limit, estimate with a 50% margin: calls whose path depends on the
  // including block's prevrandao (drawReplacement, evidence that replaces a member) may need more
  // than the estimate made against another block.
  const gas =
    parameters.gas ??
    ((await client.estimateContractGas(parameters as Parameters<AnvilClient['estimateContractGas']>[0])) *
      3n) /
      2n;
  const hash = await client.writeContract({ ...parameters, gas } as Parameters<
    AnvilClient['writeContract']
  >[0]);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction reverted: ${hash}`);
  return receipt;
}
