"use client";

// Monaco's two entry points, loaded only when the editor route renders them.
import dynamic from "next/dynamic";

const loading = () => <p className="muted" role="status">Loading the editor…</p>;

export const LazyMonacoPane = dynamic(() => import("./monaco-pane"), { ssr: false, loading });
export const LazyDiffPane = dynamic(() => import("./diff-pane"), { ssr: false, loading });
