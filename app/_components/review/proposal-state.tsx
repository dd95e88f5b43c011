import styles from "./review.module.css";

const labels: Record<string, string> = { OPEN: "Open", ACCEPTED: "Accepted", REJECTED: "Rejected", WITHDRAWN: "Withdrawn", DROPPED: "Dropped", FAILED: "Failed" };

export function ProposalStateBadge({ state }: { state: string }) {
  return <span className={`${styles.state} ${styles[`state${state}`] ?? ""}`}>{labels[state] ?? state}</span>;
}
