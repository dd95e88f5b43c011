// The editor's copy of an app's draft: every file as last saved and as edited now, the draft
// version the edits are based on, and what saving is doing. Monaco and the shell both read it
// (useSyncExternalStore); unsaved edits are also kept in localStorage so a lost connection or a
// closed tab loses nothing, and they are saved when the connection is back.
import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { errorInfo } from "@/app/_trpc/errors";

export type DraftFile = {
  path: string;
  size: number;
  encoding: "utf8" | "base64";
  /** Content as last saved (base64 for binary files). */
  saved: string;
  /** Content as edited now; equals `saved` when the file is clean. */
  current: string;
};

export type ConflictFile = { path: string; mine: string; theirs: string | null };
export type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; at: number }
  | { kind: "offline"; message: string }
  | { kind: "conflict"; draftVersion: number; files: ConflictFile[] }
  | { kind: "error"; message: string };

type Snapshot = {
  loaded: boolean;
  loadError?: string;
  draftVersion: number;
  files: DraftFile[];
  dirty: string[];
  save: SaveState;
  /** Bumped when file contents change from outside the editor (restore, conflict, reload). */
  externalRevision: number;
};

type Client = TRPCClient<AppRouter>;
type Listener = () => void;
/** Unsaved edits kept on this device: each with the saved content it was made on. */
type StoredEdits = Record<string, { base: string; current: string }>;

export const isEditableText = (file: Pick<DraftFile, "encoding">) => file.encoding === "utf8";

export class DraftStore {
  private snapshot: Snapshot = { loaded: false, draftVersion: 0, files: [], dirty: [], save: { kind: "idle" }, externalRevision: 0 };
  private readonly listeners = new Set<Listener>();
  private readonly savedListeners = new Set<() => void>();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly client: Client,
    readonly appId: string,
  ) {}

  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  /** Called after every successful save (the preview restarts then). */
  onSaved(listener: () => void): () => void {
    this.savedListeners.add(listener);
    return () => {
      this.savedListeners.delete(listener);
    };
  }

  file(path: string): DraftFile | undefined {
    return this.snapshot.files.find((file) => file.path === path);
  }

  private set(patch: Partial<Snapshot>) {
    const files = patch.files ?? this.snapshot.files;
    const dirty = files.filter((file) => file.current !== file.saved).map((file) => file.path);
    this.snapshot = { ...this.snapshot, ...patch, dirty };
    for (const listener of this.listeners) listener();
  }

  private get storageKey() {
    return `canopy-editor:${this.appId}`;
  }

  /** Loads every file of the draft, then re-applies edits this device kept but did not save. */
  async load(): Promise<void> {
    try {
      const { files, draftVersion } = await this.client.apps.files.query({ appId: this.appId });
      const contents = await Promise.all(files.map((file) => this.client.apps.readFile.query({ appId: this.appId, path: file.path })));
      const kept = this.readKeptEdits();
      const conflicts: ConflictFile[] = [];
      this.set({
        loaded: true,
        draftVersion,
        files: contents.map((file, index) => {
          const keptEdit = kept[file.path];
          // An edit kept on this device applies only over the content it was made on; otherwise it is a conflict.
          if (keptEdit && keptEdit.base !== file.content) conflicts.push({ path: file.path, mine: keptEdit.current, theirs: file.content });
          return { path: file.path, size: files[index]!.size, encoding: file.encoding, saved: file.content, current: keptEdit?.current ?? file.content };
        }),
        externalRevision: this.snapshot.externalRevision + 1,
      });
      if (conflicts.length) this.set({ save: { kind: "conflict", draftVersion, files: conflicts } });
    } catch (error) {
      this.set({ loaded: true, loadError: errorInfo(error).message });
    }
  }

  /** An edit in Monaco. */
  setCurrent(path: string, content: string) {
    const file = this.file(path);
    if (!file || file.current === content) return;
    this.set({ files: this.snapshot.files.map((item) => (item.path === path ? { ...item, current: content } : item)) });
    this.schedulePersist();
  }

  private schedulePersist() {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => this.persistEdits(), 300);
  }

  private persistEdits() {
    try {
      const edits: StoredEdits = {};
      for (const file of this.snapshot.files) if (file.current !== file.saved) edits[file.path] = { base: file.saved, current: file.current };
      if (Object.keys(edits).length) localStorage.setItem(this.storageKey, JSON.stringify(edits));
      else localStorage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the edits stay in memory.
    }
  }

  private readKeptEdits(): StoredEdits {
    try {
      return (JSON.parse(localStorage.getItem(this.storageKey) ?? "{}") as StoredEdits) ?? {};
    } catch {
      return {};
    }
  }

  /** Saves every unsaved file as one revision set, based on the draft version the edits started from. */
  async save(options: { overwrite?: boolean } = {}): Promise<void> {
    const dirty = this.snapshot.files.filter((file) => file.current !== file.saved);
    if (!dirty.length || this.snapshot.save.kind === "saving") return;
    const expectedDraftVersion = options.overwrite && this.snapshot.save.kind === "conflict" ? this.snapshot.save.draftVersion : this.snapshot.draftVersion;
    this.set({ save: { kind: "saving" } });
    try {
      const result = await this.client.apps.changeFiles.mutate({
        appId: this.appId,
        expectedDraftVersion,
        changes: dirty.map((file) => ({ op: "write" as const, path: file.path, encoding: file.encoding, content: file.current })),
      });
      const savedNow = new Map(dirty.map((file) => [file.path, file.current]));
      this.set({
        draftVersion: result.draftVersion,
        files: this.snapshot.files.map((file) => (savedNow.has(file.path) ? { ...file, saved: savedNow.get(file.path)!, size: new Blob([file.current]).size } : file)),
        save: { kind: "saved", at: Date.now() },
      });
      this.persistEdits();
      this.stopRetrying();
      for (const listener of this.savedListeners) listener();
    } catch (error) {
      await this.handleSaveError(error, dirty);
    }
  }

  private async handleSaveError(error: unknown, dirty: DraftFile[]) {
    const info = errorInfo(error);
    if (!info.code) {
      this.persistEdits();
      this.set({ save: { kind: "offline", message: "Offline: your edits are kept on this device and saved when the connection is back." } });
      this.retryWhenOnline();
      return;
    }
    if (info.code === "CONFLICT") {
      const details = (error as { data?: { appDetails?: { draftVersion?: number; current?: { path: string; content: string }[] } } }).data?.appDetails;
      if (details?.draftVersion !== undefined) {
        const theirs = new Map((details.current ?? []).map((file) => [file.path, file.content]));
        // Only files someone else changed are conflicts; other files saved in between are not.
        const files = dirty
          .map((file) => ({ path: file.path, mine: file.current, theirs: theirs.get(file.path) ?? null, base: file.saved }))
          .filter((file) => file.theirs !== file.base)
          .map(({ path, mine, theirs }) => ({ path, mine, theirs }));
        if (!files.length) {
          this.snapshot = { ...this.snapshot, draftVersion: details.draftVersion, save: { kind: "idle" } };
          return this.save();
        }
        this.set({ save: { kind: "conflict", draftVersion: details.draftVersion, files } });
        return;
      }
    }
    this.set({ save: { kind: "error", message: info.message } });
  }

  private retryWhenOnline() {
    if (this.retryTimer) return;
    const retry = () => {
      if (typeof navigator !== "undefined" && navigator.onLine === false) return;
      void this.save();
    };
    window.addEventListener("online", retry);
    const timer = setInterval(retry, 5000);
    this.retryTimer = timer;
    this.stopRetrying = () => {
      window.removeEventListener("online", retry);
      clearInterval(timer);
      this.retryTimer = undefined;
    };
  }

  private stopRetrying = () => {};

  /** Conflict resolved by taking the newer saved version of each conflicting file. */
  takeTheirs() {
    const save = this.snapshot.save;
    if (save.kind !== "conflict") return;
    const theirs = new Map(save.files.map((file) => [file.path, file.theirs]));
    this.set({
      draftVersion: save.draftVersion,
      files: this.snapshot.files.flatMap((file) => {
        if (!theirs.has(file.path)) return [file];
        const content = theirs.get(file.path);
        return content === null || content === undefined ? [] : [{ ...file, saved: content, current: content }];
      }),
      save: { kind: "idle" },
      externalRevision: this.snapshot.externalRevision + 1,
    });
    this.persistEdits();
  }

  dismissSaveState() {
    if (this.snapshot.save.kind === "error" || this.snapshot.save.kind === "conflict") this.set({ save: { kind: "idle" } });
  }

  /** Structural changes (create, upload, rename, delete, restore) go to the server at once. */
  async applyChanges(
    changes: ({ op: "write"; path: string; encoding: "utf8" | "base64"; content: string } | { op: "delete"; path: string } | { op: "rename"; from: string; to: string })[],
  ): Promise<void> {
    let result: { draftVersion: number };
    try {
      result = await this.client.apps.changeFiles.mutate({ appId: this.appId, changes, expectedDraftVersion: this.snapshot.draftVersion });
    } catch (error) {
      if (errorInfo(error).code !== "CONFLICT") throw error;
      // Someone changed the draft: reload it (unsaved edits come back, as conflicts where needed).
      this.persistEdits();
      await this.load();
      throw new Error("The draft changed elsewhere and was reloaded; check the files and try again.");
    }
    let files = this.snapshot.files;
    for (const change of changes) {
      if (change.op === "write") {
        const size = change.encoding === "base64" ? Math.floor((change.content.replace(/=+$/, "").length * 3) / 4) : new Blob([change.content]).size;
        const file = { path: change.path, encoding: change.encoding, saved: change.content, current: change.content, size };
        files = files.some((item) => item.path === change.path) ? files.map((item) => (item.path === change.path ? file : item)) : [...files, file];
      } else if (change.op === "delete") {
        files = files.filter((item) => item.path !== change.path);
      } else {
        files = files.map((item) => (item.path === change.from ? { ...item, path: change.to } : item));
      }
    }
    this.set({ draftVersion: result.draftVersion, files: files.sort((a, b) => a.path.localeCompare(b.path)), externalRevision: this.snapshot.externalRevision + 1 });
    this.persistEdits();
    for (const listener of this.savedListeners) listener();
  }

  /** Restores a revision (as a new revision) and takes its content into the editor. */
  async restoreRevision(revisionId: number): Promise<void> {
    const result = await this.client.apps.restoreRevision.mutate({ appId: this.appId, revisionId, expectedDraftVersion: this.snapshot.draftVersion });
    const restored = await this.client.apps.readRevision.query({ appId: this.appId, revisionId });
    const exists = this.snapshot.files.some((file) => file.path === restored.path);
    let files = this.snapshot.files;
    if (restored.deleted) files = files.filter((file) => file.path !== restored.path);
    else {
      const file = { path: restored.path, encoding: restored.encoding, saved: restored.content, current: restored.content, size: restored.content.length };
      files = exists ? files.map((item) => (item.path === restored.path ? file : item)) : [...files, file].sort((a, b) => a.path.localeCompare(b.path));
    }
    this.set({ draftVersion: result.draftVersion, files, externalRevision: this.snapshot.externalRevision + 1 });
    this.persistEdits();
    for (const listener of this.savedListeners) listener();
  }

  dispose() {
    clearTimeout(this.persistTimer);
    this.persistEdits();
    this.stopRetrying();
  }
}
