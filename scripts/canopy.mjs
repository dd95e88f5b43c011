#!/usr/bin/env node
// The `canopy` command (package.json "bin"): runs the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";

register();
await import("../server/cli/canopy.ts");
