-- Fences come from one sequence, so an app's fence never goes back, not even when its placement row
-- was removed (stopped app) and created again: workers remember the highest fence they have seen.
CREATE SEQUENCE "AppPlacement_fence_seq";
SELECT setval('"AppPlacement_fence_seq"', GREATEST((SELECT MAX("fence") FROM "AppPlacement"), 0) + 1, false);
