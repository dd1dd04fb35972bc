// The custom error a contract call reverted with, decoded by viem from the ABI.
import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from 'viem';

export type RevertInfo = { name: string; args: readonly unknown[] };

/** The custom error a call reverted with, or undefined if it did not revert with a decoded error. */
export function revertError(e: unknown): RevertInfo | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const inner = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (!(inner instanceof ContractFunctionRevertedError) || !inner.data) return undefined;
  return { name: inner.data.errorName, args: inner.data.args ?? [] };
}

/** Runs `action`; returns the custom error it reverted with (throws if it succeeded or failed otherwise). */
export async function expectRevert(action: () => Promise<unknown>): Promise<RevertInfo> {
  try {
    await action();
  } catch (e) {
    const info = revertError(e);
    if (info) return info;
    throw e;
  }
  throw new Error('expected a revert, but the call succeeded');
}

/** The custom error of a reverted raw call (constructor via deploy data, or a call with a gas limit). */
export async function callRevert(
  client: { call(parameters: Record<string, unknown>): Promise<unknown> },
  abi: Abi,
  parameters: Record<string, unknown>,
): Promise<RevertInfo> {
  try {
    await client.call(parameters);
  } catch (e) {
    if (e instanceof BaseError) {
      const raw = e.walk((x) => typeof (x as { data?: unknown }).data === 'string') as { data?: Hex } | null;
      if (raw?.data) {
        const decoded = decodeErrorResult({ abi, data: raw.data });
        return { name: decoded.errorName, args: decoded.args ?? [] };
      }
    }
    throw e;
  }
  throw new Error('expected a revert, but the call succeeded');
}
