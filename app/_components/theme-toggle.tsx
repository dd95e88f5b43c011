"use client";

// Cycles Auto (follow the OS) → Light → Dark. The choice lives in localStorage; the inline script
// in app/layout.tsx applies it before the first paint, this only changes it.
import { useLayoutEffect, useSyncExternalStore } from "react";

export const themeStorageKey = "canopy-theme";
type Theme = "auto" | "light" | "dark";

const labels: Record<Theme, string> = { auto: "Auto", light: "Light", dark: "Dark" };
const nextTheme: Record<Theme, Theme> = { auto: "light", light: "dark", dark: "auto" };
const listeners = new Set<() => void>();

function readTheme(): Theme {
  try {
    const value = localStorage.getItem(themeStorageKey);
    return value === "light" || value === "dark" ? value : "auto";
  } catch {
    return "auto";
  }
}

function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === "auto") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}

function subscribe(listener: () => void): () => void {
  // Another tab changed the theme: follow it.
  const onStorage = (event: StorageEvent) => {
    if (event.key !== themeStorageKey && event.key !== null) return;
    applyTheme(readTheme());
    listener();
  };
  listeners.add(listener);
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function ThemeToggle({ className }: { className?: string }) {
  const theme = useSyncExternalStore(subscribe, readTheme, () => "auto" as Theme);

  // In development React may reset <html> attributes on remount; re-apply. No-op in production.
  useLayoutEffect(() => applyTheme(readTheme()), []);

  function choose(next: Theme) {
    try {
      if (next === "auto") localStorage.removeItem(themeStorageKey);
      else localStorage.setItem(themeStorageKey, next);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
    applyTheme(next);
    for (const listener of listeners) listener();
  }

  const next = nextTheme[theme];
  return (
    <button
      type="button"
      className={className}
      onClick={() => choose(next)}
      aria-label={`Theme: ${labels[theme]}. Switch to ${labels[next]}`}
      title={`Theme: ${labels[theme]} (switch to ${labels[next]})`}
    >
      <ThemeIcon theme={theme} />
      <span aria-hidden="true">{labels[theme]}</span>
    </button>
  );
}

function ThemeIcon({ theme }: { theme: Theme }) {
  const common = { width: 20, height: 20, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round", "aria-hidden": true } as const;
  if (theme === "light") {
    return (
      <svg {...common}>
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
      </svg>
    );
  }
  if (theme === "dark") {
    return (
      <svg {...common}>
        <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
      </svg>
    );
  }
  return (
    <svg {...common}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 3a9 9 0 0 1 0 18z" fill="currentColor" />
    </svg>
  );
}
