// A real Anvil for the chain tests: the binary of @foundry-rs/anvil's platform package, found through
// @diva-dvt/contracts (whose dev dependency it is; the lookup is @diva-dvt/test-vectors' `anvilBinary`), spawned on port 0 with the Prague hardfork and
// interval mining (draws commit to a future block, so blocks must come without transactions). And an
// operator registered with collateral, as the keepers' tests need them.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { type DivaDeployment, depositCollateral, registerOperator, stake } from '@diva-dvt/contracts';
import { divETHAbi } from '@diva-dvt/contracts/abis';
import { anvilBinary } from '@diva-dvt/test-vectors';
import { type Hex, parseEther } from 'viem';
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import { foundry } from 'viem/chains';
import { expect } from 'vitest';
import type { createChainClients } from '../../src/index.ts';
import { peerIdOfPublicKey, publicKeyOf } from '../../src/p2p/identity.ts';

export interface AnvilProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startAnvil(args: readonly string[] = []): Promise<AnvilProcess> {
  const proc: ChildProcess = spawn(
    anvilBinary(createRequire(import.meta.url).resolve('@diva-dvt/contracts/package.json')),
    ['--host', '127.0.0.1', '--port', '0', '--hardfork', 'prague', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`anvil: not listening after 10 s: ${output.slice(-300)}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        proc.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited (code ${code}): ${output.slice(-300)}`));
    });
  });
  proc.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Registers the operator of `wallet` (its key `key`) with 2 divETH of collateral: it stakes 2 ETH,
 * approves the registry, registers (a placeholder p2p address with its peer id) and deposits them.
 */
export async function registerWithCollateral(
  wallet: ReturnType<typeof createChainClients>['wallet'],
  key: Uint8Array,
  deployment: Pick<DivaDeployment, 'divETH' | 'operatorRegistry'>,
): Promise<void> {
  const confirm = async (hash: Hex) =>
    expect((await waitForTransactionReceipt(wallet, { hash })).status).toBe('success');
  await confirm(await stake(wallet, { divETH: deployment.divETH, valueWei: parseEther('2') }));
  await confirm(
    await writeContract(wallet, {
      address: deployment.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [deployment.operatorRegistry, parseEther('2')],
      chain: foundry,
      account: wallet.account,
    }),
  );
  await confirm(
    await registerOperator(wallet, {
      operatorRegistry: deployment.operatorRegistry,
      encryptionKey: `0x${'11'.repeat(32)}`,
      p2pAddresses: [`/ip4/127.0.0.1/tcp/9/p2p/${peerIdOfPublicKey(publicKeyOf(key)).toString()}`],
    }),
  );
  await confirm(
    await depositCollateral(wallet, {
      operatorRegistry: deployment.operatorRegistry,
      amountWei: parseEther('2'),
    }),
  );
}
