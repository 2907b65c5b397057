// Render Mermaid sources in headless Chromium, as GitHub renders a ```mermaid block, and
// say what a reader sees. Input (stdin): {"charts": [{"source", "securityLevel"}]}.
// Output (stdout): one result per chart: the text of nodes, edge labels and boxes, the
// number of edges, and anything active the SVG holds (elements, handlers, links, and
// whether a payload ran). Used by tests/test_mermaid_browser.py.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const input = JSON.parse(readFileSync(0, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const results = [];
try {
  const page = await browser.newPage();
  // No network: the page is blank and mermaid comes from node_modules.
  await page.route("**/*", (route) => route.abort());
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({ path: require.resolve("mermaid/dist/mermaid.min.js") });
  for (const chart of input.charts) {
    results.push(
      await page.evaluate(async ({ source, securityLevel }) => {
        window.__pwned = false;
        const out = document.getElementById("out");
        out.innerHTML = "";
        mermaid.initialize({ startOnLoad: false, securityLevel, theme: "default" });
        let svg;
        try {
          ({ svg } = await mermaid.render("chart" + Math.random().toString(36).slice(2), source));
        } catch (error) {
          return { error: String(error && error.message ? error.message : error) };
        }
        out.innerHTML = svg;
        // Let any handler a payload planted fire before looking.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const root = out.querySelector("svg");
        const text = (e) => e.textContent.replace(/\s+/g, " ").trim();
        // Boxes (subgraphs) as the reader sees them: a node is in the box around its centre.
        const boxes = [...root.querySelectorAll("g.cluster")].map((e) => ({
          id: e.id.replace(/^.*?-?(?=[^-]*$)/, ""),
          text: text(e.querySelector(".cluster-label") || e),
          rect: e.querySelector("rect").getBoundingClientRect(),
        }));
        const inside = (r, b) => {
          const x = r.x + r.width / 2, y = r.y + r.height / 2;
          return x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
        };
        const nodes = [...root.querySelectorAll("g.node")].map((e) => {
          const rect = e.getBoundingClientRect();
          const box = boxes.find((b) => inside(rect, b.rect));
          return { id: (e.id.match(/flowchart-(.+)-\d+$/) || [null, e.id])[1], text: text(e), box: box ? box.text : null };
        });
        const labels = {};
        for (const e of root.querySelectorAll("g.edgeLabel [data-id]")) labels[e.getAttribute("data-id")] = text(e);
        const edges = [...root.querySelectorAll("path.flowchart-link")].map((e) => {
          const id = e.getAttribute("data-id") || e.id;
          const [, from, to] = id.match(/L_(.+?)_(.+?)_\d+$/) || [null, null, null];
          return { from, to, label: labels[id] || null };
        });
        const active = [...root.querySelectorAll("*")].flatMap((e) => {
          const found = [];
          const tag = e.tagName.toLowerCase();
          if (["script", "img", "iframe", "object", "embed", "a"].includes(tag)) found.push(tag);
          for (const attr of e.getAttributeNames()) {
            const value = e.getAttribute(attr) || "";
            if (attr.startsWith("on") || /javascript:/i.test(value)) found.push(`${tag}[${attr}]`);
          }
          return found;
        });
        return {
          nodes,
          edges,
          boxes: boxes.map((b) => b.text),
          active,
          pwned: window.__pwned === true,
        };
      }, chart),
    );
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
