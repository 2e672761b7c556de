// The adapter's one logger: to stderr when ELIXIRSCOPE_DAP_LOG is set (stdout carries the protocol).

export const log = (...parts: unknown[]): void => {
  if (process.env.ELIXIRSCOPE_DAP_LOG)
    process.stderr.write(`[elixirscope-dap] ${parts.map(String).join(" ")}\n`);
};
