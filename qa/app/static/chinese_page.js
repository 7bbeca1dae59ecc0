// 放在每个网页 <head> 的最前面（webapp.chinese_page() 填入 __WORDS__ 和 __LABELS__）：
// 1. 页面语言定为简体中文，在 Gradio 的脚本读到浏览器语言之前；
// 2. Gradio 的中文翻译没有覆盖的字（按钮提示、读屏文字、排队提示）换成中文；
// 3. 复制一条消息或整个对话时，剪贴板里放纯文字（Gradio 自己复制的是消息的 HTML）。
(() => {
  try {
    Object.defineProperty(navigator, "language", { get: () => "zh-CN" });
    Object.defineProperty(navigator, "languages", { get: () => ["zh-CN", "zh"] });
  } catch (error) {}

  const words = __WORDS__;
  const labels = __LABELS__;
  const ATTRIBUTES = ["title", "aria-label", "alt", "placeholder"];

  const plain = (html) =>
    new DOMParser().parseFromString(html, "text/html").body.textContent.replace(/\s+/g, " ").trim();
  const place = (_, at, total) => "排队中：第 " + at + " 位" + (total ? "，共 " + total + " 位" : "");
  // 运行中的状态文字（Gradio 的 statustracker 直接写的英文）
  const PATTERNS = [
    [/^In queue:?\s*(\d+)\s*\/?\s*(?:of)?\s*(\d+)?$/, place],
    [/^queue:\s*(\d+)\s*\/\s*(\d+)?\s*\|$/, (...match) => place(...match) + " |"],
    [/^processing\s*\|$/, () => "处理中 |"],
    [/^([\d.]+(?:\/[\d.]+)?)s$/, (_, seconds) => seconds + " 秒"],
  ];
  const say = (text) => {
    if (words[text]) return words[text];
    for (const [pattern, replace] of PATTERNS) if (pattern.test(text)) return text.replace(pattern, replace);
    return text;
  };

  const fixText = (node) => {
    const text = node.nodeValue.trim();
    if (say(text) !== text) node.nodeValue = say(text);
  };
  const fixAttributes = (element) => {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (!value) continue;
      if (words[value]) {
        element.setAttribute(name, words[value]);
        continue;
      }
      for (const [prefix, chinese] of Object.entries(labels)) {
        if (value.startsWith(prefix)) element.setAttribute(name, chinese + plain(value.slice(prefix.length)).slice(0, 300));
      }
    }
  };
  const fix = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    for (const element of [root, ...root.querySelectorAll("*")]) {
      fixAttributes(element);
      for (const child of element.childNodes) if (child.nodeType === Node.TEXT_NODE) fixText(child);
    }
  };
  new MutationObserver((mutations) => {
    for (const change of mutations) {
      if (change.type === "attributes" || change.type === "characterData") fix(change.target);
      else change.addedNodes.forEach(fix);
    }
  }).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true, attributeFilter: ATTRIBUTES,
  });

  const toClipboard = (text) => {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).catch(() => {});
      return;
    }
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  };
  const said = (message) => (message.dataset.testid === "user" ? "问：" : "答：") + message.innerText.trim();
  const MESSAGES = "[data-testid=user],[data-testid=bot]";

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#chat button");
    if (!button) return;
    const label = (button.getAttribute("aria-label") || "") + (button.getAttribute("title") || "");
    if (!/复制|Copy/i.test(label)) return;
    const whole = /对话|conversation/i.test(label);
    const row = button.closest(".message-row") || button.closest("[class*=message]")?.parentElement;
    // 等 Gradio 自己写完剪贴板再覆盖
    setTimeout(() => {
      const messages = whole
        ? [...document.querySelectorAll("#chat [data-testid=user],#chat [data-testid=bot]")]
        : [...(row ? row.querySelectorAll(MESSAGES) : [])];
      const text = whole ? messages.map(said).join("\n\n") : messages.map((m) => m.innerText.trim()).join("\n");
      if (text) toClipboard(text);
    }, 100);
  }, true);
})();
