// The one table shape of the staff and dev pages. With room it is a table; narrower than 48rem
// (`table-stack` in globals.css: phones, portrait tablets) each row becomes a card whose cells
// carry their column's label.
import type { ComponentProps, ReactNode } from "react";

export type Column<Row> = {
  /** The header, and the label a cell shows on a phone. */
  label: string;
  cell: (row: Row) => ReactNode;
  /** `num`: tabular figures; `actions`: right-aligned, its header only for screen readers. */
  kind?: "num" | "actions";
  /** data-testid of each cell in the column. */
  testId?: string;
};

type RowProps = ComponentProps<"tr"> & Record<`data-${string}`, string>;

export function DataTable<Row>(props: {
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  rowProps?: (row: Row) => RowProps;
  testId?: string;
  busy?: boolean;
}) {
  const { columns } = props;
  if (props.rows.length === 0) return <p className="muted">{props.empty}</p>;
  return (
    <div className="table-wrap" aria-busy={props.busy}>
      <table className="table table-stack" data-testid={props.testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={column.kind === "actions" ? "actions" : undefined}>
                {column.kind === "actions" ? <span className="visually-hidden">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)} {...props.rowProps?.(row)}>
              {columns.map((column) => (
                <td key={column.label} data-label={column.kind === "actions" ? undefined : column.label} className={column.kind} data-testid={column.testId}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
