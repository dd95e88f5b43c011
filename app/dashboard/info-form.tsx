"use client";

// Title, description, tags and directory of the streamer's channel.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Field } from "../_components/field";
import { useTRPC } from "../_trpc/client";
import { errorInfo } from "../_trpc/errors";
import { FormActions } from "../_components/form-actions";

type Info = { title: string; description: string; tags: string[]; directory: string };
type FieldName = keyof Info;
type FieldErrors = Partial<Record<FieldName, string>>;

const tagPattern = /^[\p{L}\p{N}_ -]+$/u;

/** "retro, Speedrun ,, retro" → ["retro", "Speedrun"]: trimmed, no empties, no repeats. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ");
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

// Mirrors the server's rules (server/trpc/routers/streams.ts) so mistakes show before a round trip.
function validate(info: Info): FieldErrors {
  const errors: FieldErrors = {};
  if (info.title.length > 140) errors.title = "Title must be at most 140 characters";
  if (info.description.length > 2000) errors.description = "Description must be at most 2000 characters";
  if (info.tags.length > 10) errors.tags = "Use at most 10 tags";
  else {
    const long = info.tags.find((tag) => tag.length > 24);
    const bad = info.tags.find((tag) => !tagPattern.test(tag));
    if (long) errors.tags = `“${long}” is longer than 24 characters`;
    else if (bad) errors.tags = `“${bad}”: tags contain letters, digits, spaces, - and _`;
  }
  if (info.directory.length > 40) errors.directory = "Directory must be at most 40 characters";
  return errors;
}

export function InfoForm({ initial, directories }: { initial: Info; directories: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.streams.updateInfo.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.streams.dashboard.queryKey() }) }),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function focusFirst(fieldErrors: FieldErrors) {
    const first = (["title", "description", "tags", "directory"] as const).find((name) => fieldErrors[name]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const info: Info = {
      title: String(form.get("title") ?? "").trim(),
      description: String(form.get("description") ?? "").trim(),
      tags: parseTags(String(form.get("tags") ?? "")),
      directory: String(form.get("directory") ?? "").trim(),
    };
    setSaved(false);
    setError(undefined);
    const found = validate(info);
    setErrors(found);
    if (Object.keys(found).length) return focusFirst(found);
    try {
      const result = await update.mutateAsync(info);
      const tagsInput = formRef.current?.elements.namedItem("tags");
      if (tagsInput instanceof HTMLInputElement) tagsInput.value = result.tags.join(", ");
      setSaved(true);
    } catch (failure) {
      const info = errorInfo(failure);
      const fieldErrors: FieldErrors = {};
      for (const [key, message] of Object.entries(info.fields)) {
        const name = key.split(".")[0] as FieldName;
        if (["title", "description", "tags", "directory"].includes(name)) fieldErrors[name] ??= message;
      }
      setErrors(fieldErrors);
      if (Object.keys(fieldErrors).length) focusFirst(fieldErrors);
      else setError(info.message);
    }
  }

  const describedBy = (name: FieldName, hint?: boolean) => [hint ? `info-${name}-hint` : null, errors[name] ? `info-${name}-error` : null].filter(Boolean).join(" ") || undefined;

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} onChange={() => setSaved(false)} noValidate>
      <Field id="info-title" name="title" label="Title" defaultValue={initial.title} maxLength={140} autoComplete="off" error={errors.title} placeholder="What are you streaming?" />

      <div className="field">
        <label htmlFor="info-description">Description</label>
        <textarea
          id="info-description"
          name="description"
          className="input"
          rows={4}
          maxLength={2000}
          defaultValue={initial.description}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={describedBy("description")}
        />
        {errors.description ? (
          <p id="info-description-error" className="field-error" role="alert">
            {errors.description}
          </p>
        ) : null}
      </div>

      <Field
        id="info-tags"
        name="tags"
        label="Tags"
        hint="Separate tags with commas, up to 10. For example: retro, speedrun"
        defaultValue={initial.tags.join(", ")}
        autoComplete="off"
        error={errors.tags}
      />

      <Field
        id="info-directory"
        name="directory"
        label="Directory"
        hint="Where viewers find you on the home page, such as Games or Music."
        defaultValue={initial.directory}
        maxLength={40}
        autoComplete="off"
        list="directory-options"
        error={errors.directory}
      />
      <datalist id="directory-options">
        {directories.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>

      <FormActions error={error} pending={update.isPending} label="Save details" done={saved ? "Saved." : undefined} />
    </form>
  );
}
