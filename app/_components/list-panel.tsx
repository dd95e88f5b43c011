// The one list shape of the staff and dev pages: a card with a titled header (and its buttons), a
// line saying what the list is, what comes before the list (forms, alerts), then the list or, in
// its place, why there is none.
import type { ReactNode } from "react";
import styles from "./list-panel.module.css";

export function ListPanel(props: {
  /** Prefix of the heading's id, which names the section. */
  id: string;
  title: string;
  actions?: ReactNode;
  description: ReactNode;
  /** What comes between the description and the list. */
  children?: ReactNode;
  listLabel: string;
  /** The `<li>` elements. */
  items: ReactNode[];
  /** Shown instead of the list when there are no items. */
  empty: ReactNode;
  /** Shown instead of the list while it loads or when it failed to. */
  status?: ReactNode;
}) {
  return (
    <section className="card stack" aria-labelledby={`${props.id}-title`}>
      <div className="card-header">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.actions}
      </div>
      <p className="muted">{props.description}</p>
      {props.children}
      {props.status ??
        (props.items.length === 0 ? (
          <p className="muted">{props.empty}</p>
        ) : (
          <ul className={styles.list} aria-label={props.listLabel}>
            {props.items}
          </ul>
        ))}
    </section>
  );
}
