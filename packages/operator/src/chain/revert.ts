// What a failed contract call says: viem wraps a custom-error revert several levels deep; these find
// the decoded error (name and arguments) for logs and for telling one refusal from another.

/** The custom error a contract call reverted with (viem's decoded revert), if any. */
export function revertOf(
  error: unknown,
): { readonly name: string; readonly args: readonly unknown[] } | undefined {
  const found = (error as { walk?: (f: (x: unknown) => boolean) => unknown }).walk?.(
    (x) => (x as { data?: { errorName?: string } }).data?.errorName !== undefined,
  ) as { data: { errorName: string; args?: readonly unknown[] } } | undefined;
  return found === undefined ? undefined : { name: found.data.errorName, args: found.data.args ?? [] };
}

/** One line for a log: `Name(arg, ...)` for a decoded revert, else viem's short message. */
export function chainErrorText(error: unknown): string {
  const revert = revertOf(error);
  if (revert !== undefined) return `${revert.name}(${revert.args.join(', ')})`;
  return (error as { shortMessage?: string }).shortMessage ?? String(error);
}
