// Build src/goedeburen/static/goedeburen/styles.css: the NL Design System rules the pages use,
// then our own site.css. Run by scripts/build-css (`make css`); the output is committed.
//
// The vendored originals (static/vendor/utrecht-*/index.css, ~590 KB) hold every component and
// every theme token; a page uses a few dozen. PurgeCSS keeps a rule only when its classes occur
// somewhere in what renders markup: the templates, the scripts that add classes and the Python
// code that sets widget classes. Custom properties are kept when a kept rule (or one of our own
// stylesheets) reads them, directly or through another token, so colours and contrast stay.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import postcss from "postcss";
import selectorParser from "postcss-selector-parser";
import { PurgeCSS } from "purgecss";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGE = join(ROOT, "src/goedeburen");
const STATIC = join(PACKAGE, "static");
const VENDOR = [
  join(STATIC, "vendor/utrecht-design-tokens/index.css"),
  join(STATIC, "vendor/utrecht-component-library-css/index.css"),
];
const SITE = join(STATIC, "goedeburen/site.css");
const OUTPUT = join(STATIC, "goedeburen/styles.css");

function files(folder, keep) {
  const found = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      if (!["migrations", "__pycache__", "locale", "vendor", "fonts"].includes(name)) {
        found.push(...files(path, keep));
      }
    } else if (keep(path)) {
      found.push(path);
    }
  }
  return found;
}

// What renders markup. tests/test_styles.py reads the same files with the same rules.
const content = files(PACKAGE, (path) =>
  /\.(html|py)$/.test(path) || (path.startsWith(join(STATIC, "goedeburen")) && path.endsWith(".js")),
);
const ownStyles = files(join(STATIC, "goedeburen"), (path) => path.endsWith(".css") && path !== OUTPUT);

// A class built in a template (`utrecht-alert--{% if … %}error{% endif %}`) cannot be read
// whole: keep every modifier of that block.
const builtPrefixes = new Set();
// The tokens our own stylesheets read, which no vendored rule may read.
const ownVariables = new Set();
for (const path of content.filter((p) => p.endsWith(".html"))) {
  for (const match of readFileSync(path, "utf8").matchAll(/([A-Za-z0-9_-]+--)\{[{%]/g)) {
    builtPrefixes.add(match[1]);
  }
}
for (const path of ownStyles) {
  for (const match of readFileSync(path, "utf8").matchAll(/var\(\s*(--[A-Za-z0-9_-]+)/g)) {
    ownVariables.add(match[1]);
  }
}
// Attributes Django's own widgets and BoundField write (not found in our files).
const DJANGO_ATTRIBUTES = 'aria-invalid="true" aria-describedby required disabled checked multiple';
// Class names, tag names and attribute names are words of letters, digits, - and _.
const words = (text) => text.match(/[A-Za-z0-9_-]+/g) || [];
const used = new Set(words(DJANGO_ATTRIBUTES));
for (const path of content) {
  for (const word of words(readFileSync(path, "utf8"))) used.add(word);
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const isUsedClass = (name) => used.has(name) || [...builtPrefixes].some((prefix) => name.startsWith(prefix));

// PurgeCSS finds the tokens a declaration reads with /var\((.+?)[,)]/, which misses a
// `var(` followed by a line break: write every `var(--name` on one line.
const vendor = postcss.parse(
  VENDOR.map((path) => readFileSync(path, "utf8"))
    .join("\n")
    .replace(/var\(\s*(--[A-Za-z0-9_-]+)\s*([,)])/g, "var($1$2"),
);
// PurgeCSS drops a selector with a :where() or :is() of pseudo-classes only, such as the
// focus ring `:where(.utrecht-root) :where(:focus-visible)`: it finds no class, tag or
// attribute in `:focus-visible` to look for. Keep such a rule when the pages use its classes.
const onlyPseudos = (argument) => argument.nodes.every((node) => node.type === "pseudo");
const pseudoOnlyArgument = selectorParser((selectors) => {
  let found = false;
  selectors.walkPseudos((pseudo) => {
    found ||= [":where", ":is"].includes(pseudo.value) && pseudo.nodes.some(onlyPseudos);
  });
  return found;
});
const classesUsed = selectorParser((selectors) => {
  let all = true;
  selectors.walkClasses((node) => {
    all &&= isUsedClass(node.value);
  });
  return all;
});
vendor.walkRules((rule) => {
  if (pseudoOnlyArgument.transformSync(rule.selector) && classesUsed.transformSync(rule.selector)) {
    rule.before(postcss.comment({ text: "purgecss ignore next" }));
  }
});
const vendorCss = vendor.toString();
// One input, so that a token declared in the theme counts as read by the component that reads it.
const [result] = await new PurgeCSS().purge({
  css: [{ raw: vendorCss }],
  content: [...content, { raw: DJANGO_ATTRIBUTES, extension: "html" }],
  defaultExtractor: words,
  safelist: {
    standard: [...builtPrefixes].sort().map((prefix) => new RegExp(`^${escape(prefix)}`)),
    variables: [...ownVariables].sort(),
  },
  variables: true,
  keyframes: true,
  fontFace: true,
});

// PurgeCSS does not look inside :has(): `.utrecht-rich-text .utrecht-heading-1:has(+ .utrecht-
// accordion)` stays although no page has an accordion, and such rules are a third of what is
// left. A :has() whose every argument needs a class no page uses matches nothing: drop it.
const cannotMatch = (has) =>
  has.nodes.every((argument) => {
    let missing = false;
    argument.walkClasses((node) => {
      missing ||= !isUsedClass(node.value);
    });
    return missing;
  });
const withoutDeadHas = selectorParser((selectors) => {
  selectors.each((selector) => {
    let dead = false;
    selector.walkPseudos((pseudo) => {
      dead ||= pseudo.value === ":has" && cannotMatch(pseudo);
    });
    if (dead) selector.remove();
  });
});
const root = postcss.parse(result.css);
root.walkRules((rule) => {
  const kept = withoutDeadHas.processSync(rule.selector);
  if (kept.trim()) rule.selector = kept;
  else rule.remove();
});
root.walkAtRules("media", (media) => {
  if (!media.nodes.length) media.remove();
});
result.css = root.toString();

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const licence = (path) => readFileSync(path, "utf8").match(/^\/\*\*[\s\S]*?\*\//)[0];
const parts = [
  "/* Generated by scripts/build-css (`make css`) from the files named below: do not edit. */",
  // The digest tells tests/test_styles.py which vendored file this was built from.
  ...VENDOR.map((path) => `/* From ${relative(ROOT, path)} (sha256 ${sha256(path)}):\n${licence(path).slice(4)}`),
  // Comments and blank lines cost bytes on every first visit and say nothing here.
  result.css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n\s*\n/g, "\n")
    .trim(),
  `/* ${relative(ROOT, SITE)} */`,
  readFileSync(SITE, "utf8").trim(),
];
writeFileSync(OUTPUT, parts.join("\n") + "\n");
console.log(`${relative(ROOT, OUTPUT)}: ${readFileSync(OUTPUT).length} bytes`);
