// Errors an operator or a peer may meet. Each message says what went wrong and what to do.

/** One problem in a config file, pointing at the line and the key. */
export interface ConfigProblem {
  file: string;
  line: number;
  path: string;
  problem: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line} ${p.path}${p.path ? ": " : ""}${p.problem}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** A request to a peer got no answer in time. */
export class TimeoutError extends Error {
  constructor(
    readonly peer: string,
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${peer} did not answer ${what} within ${ms} ms; is it up? (realm status)`);
    this.name = "TimeoutError";
  }
}

/** A peer answered a request with a frame of another opcode than the request's reply: a bug on its side. */
export class WrongReplyError extends Error {
  constructor(
    readonly peer: string,
    readonly asked: string,
    readonly answered: string,
    readonly expected: string,
  ) {
    super(`${peer} answered ${asked} with ${answered}, not ${expected}`);
    this.name = "WrongReplyError";
  }
}

/** A frame that does not decode to a known, well-formed message. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The database node refused an operation (`code`: name-taken, not-owner, insufficient-gold...) or
 * could not be reached (`unavailable`: nothing was applied, the same call may be tried again).
 */
export class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DbError";
  }
}
