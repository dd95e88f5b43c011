import { useState } from "react";
import { errorInfo } from "../_trpc/errors";

/**
 * The message of the last failed action, and `run`, which clears it, runs an action and keeps
 * the action's error message if it throws; `run` resolves whether the action succeeded.
 */
export function useActionError(): [string | undefined, (action: () => Promise<unknown>) => Promise<boolean>] {
  const [error, setError] = useState<string>();
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(errorInfo(failure).message);
      return false;
    }
  }
  return [error, run];
}
