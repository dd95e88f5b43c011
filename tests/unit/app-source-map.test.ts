import { describe, expect, it } from "vitest";
import { parseStack } from "@/worker/apps/app-instance";
import { transpileModules } from "@/worker/apps/transpile";
import { decodeMappings, originalPosition } from "@/worker/apps/source-map";

const source = ["type Vote = { option: string };", "", "interface Poll {", "  options: string[];", "}", "", "export function vote(poll: Poll, input: Vote): number {", "  const index: number = poll.options.indexOf(input.option);", "  if (index < 0) throw new Error(`no option ${input.option}`);", "  return index;", "}"].join("\n");

describe("source maps of transpiled modules", () => {
  it("decodes base64 VLQ mappings", () => {
    // "AAAA;AACA" : line 0 col 0 → source line 0 col 0; line 1 col 0 → source line 1 col 0.
    expect(decodeMappings("AAAA;AACA")).toEqual([[[0, 0, 0]], [[0, 1, 0]]]);
    expect(decodeMappings("AAAA,IAAI;;AAEA")).toEqual([[[0, 0, 0], [4, 0, 4]], [], [[0, 2, 4]]]);
  });

  it("maps a stack line of a TypeScript module to the line the developer wrote", () => {
    const { modules, sourceMaps, issues } = transpileModules([{ name: "polls/vote.ts", module: source }]);
    expect(issues).toEqual([]);
    const code = modules.get("polls/vote.ts")!;
    const generatedLine = code.split("\n").findIndex((line) => line.includes("throw new Error")) + 1;
    expect(generatedLine).toBeGreaterThan(0);
    expect(generatedLine).not.toBe(9);
    const column = code.split("\n")[generatedLine - 1]!.indexOf("throw") + 1;
    const stack = `Error: no option x\n    at vote (file:///src/polls/vote.ts:${generatedLine}:${column})\n    at other (file:///src/plain.js:3:7)`;
    expect(parseStack(stack, sourceMaps)).toEqual([
      { module: "polls/vote.ts", line: 9, column: source.split("\n")[8]!.indexOf("throw") + 1, functionName: "vote" },
      { module: "plain.js", line: 3, column: 7, functionName: "other" },
    ]);
    expect(originalPosition(sourceMaps.get("polls/vote.ts")!, 999, 1)).toBeUndefined();
  });
});
