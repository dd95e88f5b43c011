// File-by-file diff of a proposed bundle against the deployed one, as a pull request shows it:
// added, removed and modified files with line hunks (Myers' algorithm, 3 lines of context).
import { bundleToFiles, type StoredBundle } from "../apps/bundle";

export type DiffLine = { type: "context" | "add" | "remove"; text: string; oldLine?: number; newLine?: number };
export type DiffHunk = { oldStart: number; newStart: number; lines: DiffLine[] };
export type FileDiff = {
  path: string;
  status: "added" | "removed" | "modified" | "unchanged";
  binary: boolean;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
};

const contextLines = 3;
/** Beyond this many lines a side, a file is summarised rather than diffed line by line. */
const maxDiffLines = 20_000;

function isText(content: Buffer): boolean {
  return !content.subarray(0, 8000).includes(0);
}

export function diffBundles(options: { proposed: StoredBundle; deployed: StoredBundle | null }): FileDiff[] {
  const before = new Map((options.deployed ? bundleToFiles(options.deployed) : []).map((file) => [file.path, file.content]));
  const after = new Map(bundleToFiles(options.proposed).map((file) => [file.path, file.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a.localeCompare(b));
  return paths.map((path) => diffFile(path, before.get(path), after.get(path)));
}

function diffFile(path: string, before: Buffer | undefined, after: Buffer | undefined): FileDiff {
  const status = !before ? "added" : !after ? "removed" : before.equals(after) ? "unchanged" : "modified";
  const binary = (before && !isText(before)) || (after && !isText(after)) || false;
  if (status === "unchanged" || binary) return { path, status, binary, additions: 0, deletions: 0, hunks: [] };
  const oldLines = before ? splitLines(before.toString("utf8")) : [];
  const newLines = after ? splitLines(after.toString("utf8")) : [];
  const lines = oldLines.length > maxDiffLines || newLines.length > maxDiffLines ? wholeReplacement(oldLines, newLines) : diffLines(oldLines, newLines);
  return {
    path,
    status,
    binary,
    additions: lines.filter((line) => line.type === "add").length,
    deletions: lines.filter((line) => line.type === "remove").length,
    hunks: toHunks(lines),
  };
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function wholeReplacement(oldLines: string[], newLines: string[]): DiffLine[] {
  return [
    ...oldLines.map((text, index) => ({ type: "remove" as const, text, oldLine: index + 1 })),
    ...newLines.map((text, index) => ({ type: "add" as const, text, newLine: index + 1 })),
  ];
}

/** Myers' O(ND) shortest edit script, then walked back into lines. */
export function diffLines(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const result: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      result.push({ type: "context", text: a[x - 1]!, oldLine: x, newLine: y });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) result.push({ type: "add", text: b[y - 1]!, newLine: y });
      else result.push({ type: "remove", text: a[x - 1]!, oldLine: x });
    }
    x = prevX;
    y = prevY;
  }
  return result.reverse();
}

function toHunks(lines: DiffLine[]): DiffHunk[] {
  const changes = lines.flatMap((line, index) => (line.type === "context" ? [] : [index]));
  const groups: [number, number][] = [];
  for (const index of changes) {
    const last = groups[groups.length - 1];
    if (last && index - last[1] <= 2 * contextLines + 1) last[1] = index;
    else groups.push([index, index]);
  }
  return groups.map(([first, last]) => {
    const hunkLines = lines.slice(Math.max(0, first - contextLines), Math.min(lines.length, last + contextLines + 1));
    return {
      oldStart: hunkLines.find((line) => line.oldLine !== undefined)?.oldLine ?? 0,
      newStart: hunkLines.find((line) => line.newLine !== undefined)?.newLine ?? 0,
      lines: hunkLines,
    };
  });
}
