// Open360 gives every chatter a colour; ours is derived from the username so it is stable
// everywhere without storing it. The palette reads on both light and dark backgrounds.
const palette = ["#e0524f", "#d9731c", "#b8860b", "#3f9a3a", "#13967f", "#1f8fcf", "#4f6fe0", "#8a5ce6", "#c04fb5", "#d6457d"];

export function colorFor(username: string): string {
  let hash = 0;
  for (const char of username) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length]!;
}
