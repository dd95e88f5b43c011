import type { FileDiff } from "@/server/review/bundle-diff";
import styles from "./review.module.css";

export function FileDiffView({ file }: { file: FileDiff }) {
  return (
    <section className={styles.file} aria-label={`Diff of ${file.path}`}>
      <div className={styles.fileHeader}>
        <span>
          {file.path} <span className="muted">({file.status})</span>
        </span>
        <span>
          <span className={styles.add}>+{file.additions}</span> <span className={styles.remove}>−{file.deletions}</span>
        </span>
      </div>
      {file.binary ? (
        <p className="muted small" style={{ padding: "0.5rem 0.75rem" }}>
          Binary file {file.status}.
        </p>
      ) : (
        <div className={styles.diff}>
          <table>
            <tbody>
              {file.hunks.flatMap((hunk, hunkIndex) => [
                <tr key={`h${hunkIndex}`} className={styles.hunk}>
                  <td colSpan={3}>{`@@ -${hunk.oldStart} +${hunk.newStart} @@`}</td>
                </tr>,
                ...hunk.lines.map((line, lineIndex) => (
                  <tr key={`${hunkIndex}-${lineIndex}`} className={line.type === "add" ? styles.add : line.type === "remove" ? styles.remove : undefined}>
                    <td className={styles.lineNo}>{line.oldLine ?? ""}</td>
                    <td className={styles.lineNo}>{line.newLine ?? ""}</td>
                    <td>
                      {line.type === "add" ? "+ " : line.type === "remove" ? "- " : "  "}
                      {line.text}
                    </td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
