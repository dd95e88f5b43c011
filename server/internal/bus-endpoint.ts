// One end of the internal bus: sends typed messages and questions, answers questions with the
// registered handlers, and pairs replies with questions (with a timeout). Transport-agnostic:
// the server routes envelopes to sockets, a worker emits them on its own socket.
import crypto from "node:crypto";
import { AppError, appErrorCodes, describeIssues, isAppError, type AppErrorCode } from "../errors";
import { messageBytes } from "./message-bytes";
import {
  envelopeSchema,
  isPrompt,
  prompts,
  type Envelope,
  type MessagePrompt,
  type ParsedPromptData,
  type Prompt,
  type PromptData,
  type PromptReply,
  type QuestionPrompt,
} from "./protocol";

export type PromptHandler<P extends Prompt> = (
  data: ParsedPromptData<P>,
  envelope: Envelope,
) => P extends QuestionPrompt ? Promise<PromptReply<P>> | PromptReply<P> : Promise<void> | void;

type Pending = { resolve: (data: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout; prompt: QuestionPrompt; target: string };

export type BusEndpoint = ReturnType<typeof createBusEndpoint>;

export function createBusEndpoint(options: {
  label: string;
  send: (envelope: Envelope) => void;
  defaultTimeoutMs?: number;
  onInvalid?: (reason: string) => void;
  /**
   * Largest envelope this end sends. The server's Socket.IO closes a connection that sends more
   * (maxHttpBufferSize), failing everything else on it; a larger message is refused to its sender.
   */
  maxMessageBytes?: number;
}) {
  const handlers = new Map<Prompt, (data: unknown, envelope: Envelope) => unknown>();
  const pending = new Map<string, Pending>();
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5000;

  function handle<P extends Prompt>(prompt: P, handler: PromptHandler<P>): void {
    handlers.set(prompt, handler as (data: unknown, envelope: Envelope) => unknown);
  }

  /** Sends `envelope`, or throws PAYLOAD_TOO_LARGE (sending nothing) when it exceeds maxMessageBytes. */
  function send(envelope: Envelope): void {
    const limit = options.maxMessageBytes;
    if (limit !== undefined) {
      const bytes = messageBytes(envelope, limit);
      if (bytes > limit) throw new AppError("PAYLOAD_TOO_LARGE", `${envelope.package.prompt} is ${bytes} bytes or more; one bus message carries at most ${limit}`);
    }
    options.send(envelope);
  }

  /** Throws PAYLOAD_TOO_LARGE for a message over maxMessageBytes. */
  function tell<P extends MessagePrompt>(target: string, prompt: P, data: PromptData<P>, message?: string): void {
    send({ target, ack: options.label, type: "message", package: { prompt, data, message } });
  }

  function ask<P extends QuestionPrompt>(
    target: string,
    prompt: P,
    data: PromptData<P>,
    askOptions: { timeoutMs?: number; message?: string } = {},
  ): Promise<PromptReply<P>> {
    const id = crypto.randomUUID();
    return new Promise<PromptReply<P>>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new AppError("TIMEOUT", `No reply to ${prompt} from ${target}`));
      }, askOptions.timeoutMs ?? defaultTimeoutMs);
      pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer, prompt, target });
      try {
        send({ id, target, ack: options.label, type: "question", package: { prompt, data, message: askOptions.message } });
      } catch (error) {
        clearTimeout(timer);
        pending.delete(id);
        reject(error as Error);
      }
    });
  }

  function settleReply(envelope: Envelope): void {
    const entry = envelope.id ? pending.get(envelope.id) : undefined;
    if (!entry || envelope.package.prompt !== `${entry.prompt}-reply`) return;
    pending.delete(envelope.id!);
    clearTimeout(entry.timer);
    const { error, data } = envelope.package;
    if (error) return entry.reject(new AppError(asCode(error.code), error.message));
    const parsed = prompts[entry.prompt].reply.safeParse(data);
    if (parsed.success) entry.resolve(parsed.data);
    else entry.reject(new AppError("INTERNAL", `Malformed ${entry.prompt} reply from ${envelope.ack}`));
  }

  function reply(question: Envelope, result: { data?: unknown; error?: { code: string; message: string } }): void {
    send({
      id: question.id,
      target: question.ack,
      ack: options.label,
      type: "message",
      package: { prompt: `${question.package.prompt}-reply`, data: result.data, message: result.error ? result.error.message : "Ok", error: result.error },
    });
  }

  /**
   * Feeds one received envelope into this endpoint. Resolves to the reason when the envelope was
   * refused (questions are also answered with the error), so the transport can tell the sender.
   */
  async function receive(raw: unknown): Promise<string | undefined> {
    const refuse = (reason: string) => {
      options.onInvalid?.(reason);
      return reason;
    };
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success) return refuse(`malformed envelope: ${describeIssues(parsed.error.issues)}`);
    const envelope = parsed.data;
    const { prompt } = envelope.package;
    if (prompt.endsWith("-reply")) {
      settleReply(envelope);
      return undefined;
    }
    const handler = isPrompt(prompt) ? handlers.get(prompt) : undefined;
    const isQuestion = envelope.type === "question";
    if (!handler || !isPrompt(prompt)) {
      if (isQuestion) reply(envelope, { error: { code: "NOT_FOUND", message: `${options.label} does not answer ${prompt}` } });
      return refuse(`unknown prompt ${prompt}`);
    }
    const data = prompts[prompt].data.safeParse(envelope.package.data);
    if (!data.success) {
      if (isQuestion) reply(envelope, { error: { code: "BAD_REQUEST", message: `Invalid data for ${prompt}` } });
      return refuse(`invalid data for ${prompt}: ${describeIssues(data.error.issues)}`);
    }
    try {
      const result = await handler(data.data, envelope);
      if (isQuestion) reply(envelope, { data: result });
      return undefined;
    } catch (error) {
      const described = isAppError(error) ? { code: error.code, message: error.message } : { code: "INTERNAL", message: "Internal error" };
      if (isQuestion) reply(envelope, { error: described });
      return refuse(`${prompt} failed: ${described.message}`);
    }
  }

  /** Rejects every question still waiting (for `target` only, when given), e.g. when the connection is gone. */
  function failPending(reason: string, target?: string): void {
    for (const [id, entry] of pending) {
      if (target !== undefined && entry.target !== target) continue;
      clearTimeout(entry.timer);
      entry.reject(new AppError("UNAVAILABLE", reason));
      pending.delete(id);
    }
  }

  return { label: options.label, handle, tell, ask, receive, failPending };
}

function asCode(code: string): AppErrorCode {
  return Object.hasOwn(appErrorCodes, code) ? (code as AppErrorCode) : "INTERNAL";
}
