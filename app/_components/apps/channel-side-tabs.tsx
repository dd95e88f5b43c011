"use client";

// Beside the player on /c/<channel>: the chat and, as tabs next to it, the app pages staff
// allowed as channel tabs. The chat stays mounted while another tab shows (its connection and
// scroll position survive); an app's frame is created the first time its tab is opened.
import { useId, useState, type ReactNode } from "react";
import { AppFrame, type AppFrameUser } from "./app-frame";
import type { CardPage } from "./card-link";
import styles from "./channel-side-tabs.module.css";

export function ChannelSideTabs({ chat, pages, user, channel }: { chat: ReactNode; pages: CardPage[]; user: AppFrameUser; channel: string }) {
  const [selected, setSelected] = useState("chat");
  const [opened, setOpened] = useState<string[]>([]);
  const baseId = useId();
  const tabs = [{ key: "chat", label: "Chat" }, ...pages.map((page) => ({ key: `${page.appId}/${page.pageId}`, label: page.title }))];

  const select = (key: string) => {
    setSelected(key);
    if (key !== "chat" && !opened.includes(key)) setOpened([...opened, key]);
  };

  return (
    <div className={styles.tabs}>
      <div role="tablist" aria-label="Chat and apps" className={styles.tabList}>
        {tabs.map((tab) => (
          <button
            key={tab.key}
            type="button"
            role="tab"
            id={`${baseId}-tab-${tab.key}`}
            aria-controls={`${baseId}-panel-${tab.key}`}
            aria-selected={selected === tab.key}
            className={styles.tab}
            onClick={() => select(tab.key)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${baseId}-panel-chat`} aria-labelledby={`${baseId}-tab-chat`} hidden={selected !== "chat"} className={styles.chatPanel}>
        {chat}
      </div>
      {pages.map((page) => {
        const key = `${page.appId}/${page.pageId}`;
        return (
          <div key={key} role="tabpanel" id={`${baseId}-panel-${key}`} aria-labelledby={`${baseId}-tab-${key}`} hidden={selected !== key} className={styles.appPanel}>
            {opened.includes(key) ? <AppFrame appId={page.appId} appName={page.appName} pageId={page.pageId} file={page.file} title={page.title} user={user} placement="channel-tab" channel={channel} minHeight={320} /> : null}
          </div>
        );
      })}
    </div>
  );
}
