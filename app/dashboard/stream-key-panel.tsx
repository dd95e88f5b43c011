"use client";

// Stream key: generate, show once (hidden until Reveal), rotate with a clear warning.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { LocalTime } from "../_components/local-time";
import { CopyButton } from "../_components/copy-button";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";

type KeyInfo = { set: boolean; hint: string | null; createdAt: Date | null };

export function StreamKeyPanel(props: { keyInfo: KeyInfo; live: boolean; serverUrl: string; freshKey: string | null; onFreshKey: (key: string | null) => void }) {
  const { keyInfo, live, serverUrl, freshKey, onFreshKey } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rotate = useMutation(
    trpc.streams.rotateKey.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.streams.dashboard.queryKey() }) }),
  );
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const rotateButtonRef = useRef<HTMLButtonElement>(null);

  async function generate() {
    setError(undefined);
    try {
      const result = await rotate.mutateAsync();
      setConfirming(false);
      onFreshKey(result.streamKey);
    } catch (failure) {
      setError(errorInfo(failure).message);
    }
  }

  const errorAlert = error ? (
    <p className="alert alert-error" role="alert">
      {error}
    </p>
  ) : null;

  if (freshKey) return <FreshKey streamKey={freshKey} serverUrl={serverUrl} onDone={() => onFreshKey(null)} />;

  if (!keyInfo.set) {
    return (
      <div className="stack">
        <p className="muted" style={{ margin: 0 }}>
          You need a stream key to go live. Your encoder sends it to Canopy to prove the stream is yours, so keep it secret.
        </p>
        {errorAlert}
        <div>
          <button type="button" className="button button-primary" onClick={generate} disabled={rotate.isPending} aria-busy={rotate.isPending}>
            {rotate.isPending ? <span className="spinner" aria-hidden="true" /> : null}
            Generate stream key
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="stack">
      <dl className="dl" style={{ margin: 0 }}>
        <dt>Key</dt>
        <dd>
          <code data-testid="stream-key-hint">…{keyInfo.hint}</code>
        </dd>
        {keyInfo.createdAt ? (
          <>
            <dt>Created</dt>
            <dd>
              <LocalTime value={keyInfo.createdAt} />
            </dd>
          </>
        ) : null}
      </dl>
      <p className="small muted" style={{ margin: 0 }}>
        Canopy keeps only a fingerprint of your key, so it cannot show it again. Lost it, or someone else has it? Rotate it.
      </p>
      {errorAlert}
      {confirming ? (
        <div className="alert alert-warn" role="group" aria-labelledby="rotate-confirm-title">
          <p id="rotate-confirm-title" style={{ marginBottom: "0.5rem" }}>
            <strong>Rotate your stream key?</strong> The old key stops working at once
            {live ? <strong>, and your live stream is cut off now</strong> : "; a live stream using it would be cut off"}. Paste the new key into
            your encoder afterwards.
          </p>
          <div className="button-row">
            <button type="button" className="button button-danger" onClick={generate} disabled={rotate.isPending} aria-busy={rotate.isPending}>
              {rotate.isPending ? <span className="spinner" aria-hidden="true" /> : null}
              Yes, rotate key
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setConfirming(false);
                rotateButtonRef.current?.focus();
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div>
          <button ref={rotateButtonRef} type="button" className="button" onClick={() => setConfirming(true)}>
            Rotate key
          </button>
        </div>
      )}
    </div>
  );
}

/** The new key, shown once: hidden until Reveal, copyable either way. */
function FreshKey({ streamKey, serverUrl, onDone }: { streamKey: string; serverUrl: string; onDone: () => void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [revealed, setRevealed] = useState(false);
  const fullUrl = `${serverUrl}/${streamKey}`;

  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  return (
    <div className="token-box" ref={boxRef} tabIndex={-1} role="region" aria-labelledby="fresh-key-title" style={{ marginBottom: 0 }}>
      <h3 id="fresh-key-title">Your new stream key</h3>
      <p className="alert alert-warn">
        <strong>Copy it now: it is shown only once.</strong> Anyone who has it can stream on your channel, so don&apos;t show it on stream.
      </p>
      <div className="token-row">
        <code className="token-value" data-testid="stream-key" data-revealed={revealed} aria-label={revealed ? undefined : "Stream key, hidden"}>
          {revealed ? streamKey : "•".repeat(20)}
        </code>
        <button type="button" className="button" onClick={() => setRevealed((value) => !value)} aria-pressed={revealed}>
          {revealed ? "Hide" : "Reveal"}
        </button>
        <CopyButton text={streamKey} className="button button-primary" describe="stream key" />
      </div>
      <div className="field">
        <span className="label small">Full URL, for encoders that take one</span>
        <div className="token-row">
          <code className="token-value small">{revealed ? fullUrl : `${serverUrl}/${"•".repeat(6)}`}</code>
          <CopyButton text={fullUrl} describe="full RTMP URL with the key" />
        </div>
      </div>
      <div>
        <button type="button" className="button" onClick={onDone}>
          Done, I have saved it
        </button>
      </div>
    </div>
  );
}
