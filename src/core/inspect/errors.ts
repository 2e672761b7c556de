// The error of the inspection layer: a question about the recording asked wrongly (a bad expression,
// a path that is not in a state, a moment that does not parse). A ReplayError, so every front end
// already shows it as one line for the user, never as an internal error.

import { ReplayError } from "../errors";

export class InspectError extends ReplayError {
  constructor(message: string) {
    super(message);
    this.name = "InspectError";
  }
}
