// Who is in which channel, by connection. Per node and in memory for now (the scale-out issue
// moves it to a shared store); the interface is what the chat namespace needs.
export type PresenceStore = {
  /** Adds a connection; returns true when it is this user's first connection in the channel. */
  add(channel: string, connectionId: string, username: string | null): boolean;
  /** Removes a connection; returns true when it was this user's last connection in the channel. */
  remove(channel: string, connectionId: string): { username: string | null; lastOfUser: boolean } | undefined;
  participants(channel: string): string[];
  viewerCount(channel: string): number;
};

export function createMemoryPresence(): PresenceStore {
  const channels = new Map<string, Map<string, string | null>>();
  const connectionsOf = (channel: string, username: string) =>
    [...(channels.get(channel)?.values() ?? [])].filter((name) => name === username).length;

  return {
    add(channel, connectionId, username) {
      let members = channels.get(channel);
      if (!members) channels.set(channel, (members = new Map()));
      if (members.has(connectionId)) return false;
      members.set(connectionId, username);
      return username !== null && connectionsOf(channel, username) === 1;
    },
    remove(channel, connectionId) {
      const members = channels.get(channel);
      if (!members?.has(connectionId)) return undefined;
      const username = members.get(connectionId)!;
      members.delete(connectionId);
      if (members.size === 0) channels.delete(channel);
      return { username, lastOfUser: username !== null && connectionsOf(channel, username) === 0 };
    },
    participants(channel) {
      const names = new Set<string>();
      for (const name of channels.get(channel)?.values() ?? []) if (name) names.add(name);
      return [...names].sort();
    },
    viewerCount(channel) {
      return channels.get(channel)?.size ?? 0;
    },
  };
}
