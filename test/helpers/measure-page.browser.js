/* global document, window, getComputedStyle */
// Runs inside the page (Chromium), not in Node: what test/helpers/browser.ts measures. Plain
// JavaScript, because the project's TypeScript has no DOM types.
(() => {
  const root = document.scrollingElement ?? document.documentElement;
  let minText = Number.POSITIVE_INFINITY;
  for (const text of Array.from(document.querySelectorAll("svg text"))) {
    const ctm = text.getScreenCTM();
    const size = parseFloat(getComputedStyle(text).fontSize);
    if (ctm && size && text.textContent.trim()) minText = Math.min(minText, size * Math.hypot(ctm.a, ctm.b));
  }
  // A table may be wider than the screen when something between it and the page scrolls sideways.
  const heldByScroller = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (/(auto|scroll)/.test(style.overflowX) && e.clientWidth <= window.innerWidth) return true;
    }
    return false;
  };
  const tables = Array.from(document.querySelectorAll("table")).filter(
    (t) => t.getBoundingClientRect().width > window.innerWidth && !heldByScroller(t.parentElement),
  );
  const emoji = Array.from(new Set(document.body.innerText.match(/\p{Extended_Pictographic}/gu) ?? []));
  return {
    viewportWidth: window.innerWidth,
    scrollWidth: root.scrollWidth,
    minChartTextPx: Number.isFinite(minText) ? Math.round(minText * 10) / 10 : 0,
    tablesOverflowingPage: tables.length,
    emoji,
  };
})();
