"use client";

import { useEffect, useState } from "react";

/** Copies `text`; falls back to a hidden textarea where the clipboard API is missing (plain http
 *  on a LAN address). Says what happened in a polite live region. */
export function CopyButton({ text, label = "Copy", describe, className = "button" }: { text: string; label?: string; describe?: string; className?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      setState(ok ? "copied" : "failed");
    }
  }

  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {state === "copied" ? "Copied" : label}
        {describe ? <span className="visually-hidden"> {describe}</span> : null}
      </button>
      <span role="status" className="visually-hidden">
        {state === "copied" ? "Copied to the clipboard." : state === "failed" ? "Copying failed: select the text and copy it by hand." : ""}
      </span>
    </>
  );
}
