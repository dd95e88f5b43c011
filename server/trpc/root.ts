import { accountRouter } from "./routers/account";
import { appRuntimeRouter } from "./routers/app-runtime";
import { appsRouter } from "./routers/apps";
import { appPagesRouter } from "./routers/app-pages";
import { chatRouter } from "./routers/chat";
import { editorRouter } from "./routers/editor";
import { renderRouter } from "./routers/render";
import { reviewRouter } from "./routers/review";
import { streamsRouter } from "./routers/streams";
import { statusRouter } from "./routers/status";
import { tokensRouter } from "./routers/tokens";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  tokens: tokensRouter,
  users: usersRouter,
  status: statusRouter,
  chat: chatRouter,
  streams: streamsRouter,
  render: renderRouter,
  appRuntime: appRuntimeRouter,
  apps: appsRouter,
  appPages: appPagesRouter,
  editor: editorRouter,
  review: reviewRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
