// The time-travel debug session: a recording replayed over the Debug Adapter Protocol. The current
// moment is one event; processes are threads; the stack, arguments, GenServer state and message at
// that moment fill the usual views; every step, continue and breakpoint works forward and backward.
// No `vscode` import: VS Code runs it inline, `elixirscope dap` runs it over stdio, any client can.
// The requests are layered by concern (sessionBase → inspection → navigation → launch → breakpoint
// requests → custom requests); this is the class clients construct.

import { CustomRequestSession } from "./customRequests";

export class ElixirScopeSession extends CustomRequestSession {}
