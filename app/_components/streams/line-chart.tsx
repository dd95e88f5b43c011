// A small line chart drawn as inline SVG: the line and area scale with the box (non-scaling
// strokes keep them crisp), the labels are HTML so they never stretch.
import styles from "./line-chart.module.css";

export type ChartPoint = { at: number; value: number };

/** 1, 2, 5 × 10^n at or above `value`, so the top grid line reads as a round number. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function spanText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s ago`;
  if (minutes < 90) return `${minutes} min ago`;
  return `${(minutes / 60).toFixed(1)} h ago`;
}

const width = 300;
const height = 100;

export function LineChart({ title, points, format, empty = "No data yet." }: { title: string; points: ChartPoint[]; format: (value: number) => string; empty?: string }) {
  const latest = points.at(-1);
  const peak = points.reduce((max, point) => Math.max(max, point.value), 0);

  if (points.length < 2 || !latest) {
    return (
      <figure className={styles.chart}>
        <figcaption className={styles.caption}>
          <span className={styles.title}>{title}</span>
          {latest ? <span className={styles.latest}>{format(latest.value)}</span> : null}
        </figcaption>
        <div className={styles.empty}>{empty}</div>
      </figure>
    );
  }

  const first = points[0]!;
  const top = niceCeiling(peak * 1.1);
  const spanMs = Math.max(1, latest.at - first.at);
  const x = (at: number) => ((at - first.at) / spanMs) * width;
  const y = (value: number) => height - (value / top) * height;
  const line = points.map((point, index) => `${index ? "L" : "M"}${x(point.at).toFixed(2)},${y(point.value).toFixed(2)}`).join("");
  const area = `${line}L${width},${height}L0,${height}Z`;

  return (
    <figure className={styles.chart}>
      <figcaption className={styles.caption}>
        <span className={styles.title}>{title}</span>
        <span className={styles.latest}>{format(latest.value)}</span>
        <span className={styles.peak}>peak {format(peak)}</span>
      </figcaption>
      <div className={styles.plot}>
        <svg
          className={styles.svg}
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${title}: now ${format(latest.value)}, peak ${format(peak)}, since ${spanText(spanMs)}`}
        >
          {[0, 0.5, 1].map((fraction) => (
            <line key={fraction} x1="0" x2={width} y1={height * fraction} y2={height * fraction} className={styles.grid} vectorEffect="non-scaling-stroke" />
          ))}
          <path d={area} className={styles.area} />
          <path d={line} className={styles.line} vectorEffect="non-scaling-stroke" />
        </svg>
        <span className={`${styles.axis} ${styles.axisTop}`} aria-hidden="true">
          {format(top)}
        </span>
        <span className={`${styles.axis} ${styles.axisBottom}`} aria-hidden="true">
          0
        </span>
      </div>
      <div className={styles.timeAxis} aria-hidden="true">
        <span>{spanText(spanMs)}</span>
        <span>now</span>
      </div>
    </figure>
  );
}
