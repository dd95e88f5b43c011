/**
 * Socket.IO passes the client's ack, when it asked for one, as the last argument, after however
 * many arguments it sent (none, or more than the protocol has): removes and returns it.
 */
export function takeAck(args: unknown[]): ((response: unknown) => void) | undefined {
  return typeof args[args.length - 1] === "function" ? (args.pop() as (response: unknown) => void) : undefined;
}
