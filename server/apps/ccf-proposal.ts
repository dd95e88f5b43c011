// CCF's deployment proposal: {actions: [{name: "set_js_app", args: {bundle: {metadata, modules,
// files?}, disable_bytecode_cache?}}]}. Parsing gives a StoredBundle or a 400 naming the field.
import { z } from "zod";
import { AppError, describeIssues } from "../errors";
import { storedBundleSchema, type StoredBundle } from "./bundle";

const setJsAppSchema = z.object({
  name: z.literal("set_js_app"),
  args: z.object({ bundle: storedBundleSchema, disable_bytecode_cache: z.boolean().optional() }),
});
const proposalSchema = z.object({ actions: z.array(z.object({ name: z.string() }).passthrough()).min(1).max(10) });

export function parseCcfProposal(json: unknown): { bundle: StoredBundle; disableBytecodeCache: boolean } {
  const proposal = proposalSchema.safeParse(json);
  if (!proposal.success) throw new AppError("BAD_REQUEST", `Invalid proposal: ${describeIssues(proposal.error.issues)}`);
  const actions = proposal.data.actions;
  const unknown = actions.find((action) => action.name !== "set_js_app");
  if (unknown) throw new AppError("BAD_REQUEST", `Unsupported action ${unknown.name}: this route applies set_js_app`);
  if (actions.length !== 1) throw new AppError("BAD_REQUEST", "A proposal carries one set_js_app action");
  const action = setJsAppSchema.safeParse(actions[0]);
  if (!action.success) throw new AppError("BAD_REQUEST", `Invalid set_js_app: ${describeIssues(action.error.issues.map((issue) => ({ ...issue, path: ["actions", 0, ...issue.path] })))}`);
  return { bundle: action.data.args.bundle, disableBytecodeCache: action.data.args.disable_bytecode_cache ?? false };
}
