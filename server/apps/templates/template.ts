// An app template: the files a new app starts with. app.json is written as an object here and
// serialized on creation, so every template's manifest is checked by the manifest schema in tests.
export type AppTemplate = {
  id: string;
  name: string;
  description: string;
  /** The template's files for an app called `name`: path → text, or an object for JSON files. */
  files: (name: string) => Record<string, string | Record<string, unknown>>;
};
