// Maps positions in transpiled TypeScript back to the developer's source, so stack lines in an
// app's log name the line they wrote. Decodes the `mappings` of esbuild's source map (base64 VLQ).
const base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const digit = new Map([...base64].map((character, index) => [character, index]));

/** Per generated line (0-based): segments [generated column, original line, original column], 0-based. */
export type PositionMap = [number, number, number][][];

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const bits = digit.get(character);
    if (bits === undefined) return [];
    value += (bits & 31) << shift;
    if (bits & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

export function decodeMappings(mappings: string): PositionMap {
  const lines: PositionMap = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const line of mappings.split(";")) {
    const segments: [number, number, number][] = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      column += fields[0] ?? 0;
      if (fields.length < 4) continue;
      sourceLine += fields[2]!;
      sourceColumn += fields[3]!;
      segments.push([column, sourceLine, sourceColumn]);
    }
    lines.push(segments);
  }
  return lines;
}

/** The original 1-based line and column of a generated 1-based position, when the map covers it. */
export function originalPosition(map: PositionMap, line: number, column: number): { line: number; column: number } | undefined {
  const segments = map[line - 1];
  if (!segments?.length) return undefined;
  let best = segments[0]!;
  for (const segment of segments) {
    if (segment[0] > column - 1) break;
    best = segment;
  }
  return { line: best[1] + 1, column: best[2] + 1 };
}
