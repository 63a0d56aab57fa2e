// A database call's refusal code, "applied" when it was not refused: tests compare it to the
// code they expect, and an unexpected success or crash reads plainly in the failure.
import { DbError } from "../../common/errors.ts";

export const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "applied",
    (err: unknown) => (err instanceof DbError ? err.code : `threw ${String(err)}`),
  );
