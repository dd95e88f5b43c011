import styles from "./review.module.css";

const steps = [
  ["validating", "Validating"],
  ["compiling", "Compiling"],
  ["starting", "Starting"],
  ["health-check", "Health check"],
  ["switched", "Switched"],
] as const;

/** The deploy steps, the current one marked (failed in red when the proposal Failed there). */
export function DeployProgress({ step, failed }: { step: string | null; failed: boolean }) {
  const current = steps.findIndex(([id]) => id === step);
  return (
    <ol className={styles.steps} aria-label="Deployment progress" data-testid="deploy-progress">
      {steps.map(([id, label], index) => {
        const state = index < current || (index === current && id === "switched" && !failed) ? "done" : index === current ? (failed ? "failed" : "current") : "todo";
        const className = state === "done" ? styles.stepDone : state === "current" ? styles.stepCurrent : state === "failed" ? styles.stepFailed : "";
        return (
          <li key={id} className={`${styles.step} ${className}`} aria-current={state === "current" ? "step" : undefined} data-state={state}>
            {state === "done" ? "✓ " : state === "failed" ? "✗ " : ""}
            {label}
          </li>
        );
      })}
    </ol>
  );
}
