// The environment the `elixirscope` command's shebang gives Node (bin/elixirscope.js, which says why),
// for the other ways it is started as its own process: the extension's external adapter, the bench.

/** The variables to set over `base` (the environment the process would otherwise inherit). */
export function commandEnv(base: NodeJS.ProcessEnv): { NODE_EXTRA_CA_CERTS: string; GLIBC_TUNABLES: string } {
  // The user's own tunables after ours, so that theirs win.
  return { NODE_EXTRA_CA_CERTS: "", GLIBC_TUNABLES: `glibc.malloc.hugetlb=1:${base.GLIBC_TUNABLES ?? ""}` };
}
