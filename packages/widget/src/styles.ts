/**
 * Everything lives in a shadow root: the host page's CSS cannot reach in, ours cannot
 * leak out. Colours meet WCAG AA contrast (white on #1d4ed8 is 6.7:1).
 */
export const STYLES = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%;
  border: none; background: #1d4ed8; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25);
  display: flex; align-items: center; justify-content: center; z-index: 2147483646; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.launcher svg { width: 26px; height: 26px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  background: #b91c1c; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px; text-align: center; }
.panel { position: fixed; right: 20px; bottom: 88px; width: 370px; height: min(600px, calc(100vh - 110px));
  background: #fff; color: #111827; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.25);
  display: flex; flex-direction: column; overflow: hidden; z-index: 2147483647; }
header { background: #1d4ed8; color: #fff; padding: 14px 16px; display: flex; align-items: center; gap: 10px; }
header h2 { margin: 0; font-size: 16px; flex: 1; }
header .who { font-size: 12px; opacity: .9; }
header button { background: transparent; border: none; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; padding: 4px 8px; }
.status { font-size: 12px; padding: 6px 16px; background: #fef3c7; color: #78350f; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; background: #f9fafb; display: flex; flex-direction: column; gap: 6px; }
.empty { color: #4b5563; font-size: 14px; text-align: center; margin: auto 12px; }
.day { align-self: center; font-size: 12px; color: #4b5563; margin: 8px 0 2px; }
.msg { max-width: 80%; display: flex; flex-direction: column; }
.msg .author { font-size: 11px; color: #4b5563; margin: 0 4px 2px; }
.bubble { padding: 8px 12px; border-radius: 14px; font-size: 14px; line-height: 1.4; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.user { align-self: flex-end; align-items: flex-end; }
.msg.user .bubble { background: #1d4ed8; color: #fff; border-bottom-right-radius: 4px; }
.msg.agent .bubble { background: #fff; color: #111827; border: 1px solid #e5e7eb; border-bottom-left-radius: 4px; }
.msg.bot .bubble { background: #ecfdf5; color: #064e3b; border: 1px solid #a7f3d0; border-bottom-left-radius: 4px; }
.msg.system .bubble { background: transparent; color: #4b5563; font-style: italic; }
.meta { font-size: 11px; color: #4b5563; margin: 2px 4px 0; display: flex; gap: 4px; align-items: center; }
.check { color: #047857; font-weight: 700; }
.failed { color: #b91c1c; }
.typing { font-size: 12px; color: #4b5563; padding: 0 16px 6px; background: #f9fafb; min-height: 18px; }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; background: #fff; }
textarea { flex: 1; resize: none; border: 1px solid #9ca3af; border-radius: 10px; padding: 8px 10px; font-size: 14px; min-height: 40px; max-height: 120px; color: #111827; }
form button { background: #1d4ed8; color: #fff; border: none; border-radius: 10px; padding: 0 14px; font-size: 14px; font-weight: 600; cursor: pointer; }
form button:disabled { background: #6b7280; cursor: default; }
.tabs { display: flex; border-bottom: 1px solid #e5e7eb; background: #fff; }
.tabs button { flex: 1; background: none; border: none; border-bottom: 3px solid transparent; padding: 9px; font-size: 14px; color: #374151; cursor: pointer; }
.tabs button[aria-selected=true] { border-bottom-color: #1d4ed8; color: #1d4ed8; font-weight: 600; }
.help { flex: 1; overflow-y: auto; padding: 12px 14px; background: #f9fafb; font-size: 14px; color: #111827; }
.help input { width: 100%; border: 1px solid #9ca3af; border-radius: 10px; padding: 8px 10px; font-size: 14px; }
.help ul { list-style: none; margin: 10px 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.hit { width: 100%; text-align: left; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 8px 10px; cursor: pointer; color: #111827; font-size: 13px; line-height: 1.4; }
.hit strong { display: block; font-size: 14px; margin-bottom: 2px; }
mark { background: #fde68a; color: inherit; }
.link { background: none; border: none; padding: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer; font-size: 14px; }
.back { margin-bottom: 8px; }
article h3 { margin: 4px 0 8px; font-size: 17px; }
.article-body { line-height: 1.5; overflow-wrap: anywhere; }
.article-body img { max-width: 100%; }
.article-body pre { overflow-x: auto; background: #f3f4f6; padding: 8px; }
.article-body a { color: #1d4ed8; }
.chat-cta { margin-top: 16px; padding-top: 10px; border-top: 1px solid #e5e7eb; color: #374151; }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; }
  .launcher.hidden-on-mobile { display: none; }
}
`;
