// Entry point of the standalone adapter (`dist/debugAdapter.js`).
import { runStdio } from "./main";

runStdio();
