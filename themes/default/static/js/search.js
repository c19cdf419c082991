// The search page: words, topic, country and source filters and a date order, over the Pagefind index digest builds.
// The index sits at pagefind/ beside this script's folder, wherever the site is served from (a sub-path, or any
// folder in relative mode), and Pagefind finds the articles' addresses from there. Nothing is fetched from elsewhere.
const PAGE = 20; // results shown at a time
const DELAY = 200; // ms of quiet typing before searching

const form = document.querySelector("[data-search]");
const status = document.querySelector("[data-status]");
const list = document.querySelector("[data-results]");
const more = document.querySelector("[data-more]");
const words = form.elements.q;
const order = form.elements.sort;
const facets = ["topic", "country", "source"];
const language = document.documentElement.lang || "en";
const dates = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" });
const numbers = new Intl.NumberFormat(language);
const plurals = new Intl.PluralRules(language);
const messages = JSON.parse(status.dataset.messages); // the page's words, in the site's language

/** A message with %(num)s and %(term)s filled in; a count's message has a form per plural category. */
function say(name, num = 0, term = "") {
  const message = messages[name];
  const text = typeof message === "string" ? message : message[plurals.select(num)] ?? message.other;
  return text.replace("%(num)s", numbers.format(num)).replace("%(term)s", term);
}

let pagefind = null;
let timer = 0;
let found = [];
let shown = 0;
let latest = 0; // the newest search asked for: an older one that ends later is dropped
let shownFor = null; // what the results on the page were found for: the same search again leaves them (and the focus) alone

function chosen(name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
}

function filters() {
  const wanted = {};
  for (const name of facets) {
    const values = chosen(name);
    if (values.length) wanted[name] = { any: values };
  }
  return wanted;
}

function sorting() {
  return order.value === "newest" ? { date: "desc" } : order.value === "oldest" ? { date: "asc" } : undefined;
}

// The form's state in the address, so a search can be reloaded, bookmarked and shared.
function remember() {
  const params = new URLSearchParams();
  if (words.value.trim()) params.set("q", words.value.trim());
  if (order.value) params.set("sort", order.value);
  for (const name of facets) for (const value of chosen(name)) params.append(name, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function restore() {
  const params = new URLSearchParams(location.search);
  words.value = params.get("q") || "";
  order.value = ["newest", "oldest"].includes(params.get("sort")) ? params.get("sort") : "";
  for (const name of facets) {
    const values = new Set(params.getAll(name));
    for (const box of form.querySelectorAll(`input[name="${name}"]`)) {
      box.checked = values.has(box.value);
      if (box.checked) box.closest("details").open = true; // a chosen filter is shown
    }
  }
}

// Each checkbox's count: the articles it would leave, given the words and the other filters.
function count(totals) {
  for (const name of facets) {
    for (const box of form.querySelectorAll(`input[name="${name}"]`)) {
      const number = totals?.[name]?.[box.value] ?? 0;
      box.labels[0].querySelector("[data-count]").textContent = `(${numbers.format(number)})`;
    }
  }
}

// Pagefind's excerpt marks the words found with <mark>; only text and those marks are kept.
function excerpt(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const paragraph = document.createElement("p");
  paragraph.className = "excerpt";
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function result(data) {
  const item = document.createElement("li");
  const article = document.createElement("article");
  article.className = "result";
  const heading = document.createElement("h3");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  article.append(heading);
  if (data.meta.date) {
    const meta = document.createElement("p");
    meta.className = "meta";
    const time = document.createElement("time");
    time.dateTime = data.meta.date;
    const [year, month, day] = data.meta.date.slice(0, 10).split("-").map(Number);
    time.textContent = dates.format(Date.UTC(year, month - 1, day));
    meta.append(time);
    article.append(meta);
  }
  article.append(excerpt(data.excerpt));
  item.append(article);
  return item;
}

async function showMore() {
  const next = found.slice(shown, shown + PAGE);
  const asked = latest;
  const loaded = await Promise.all(next.map((hit) => hit.data()));
  if (asked !== latest) return;
  list.append(...loaded.map(result));
  shown += next.length;
  more.hidden = shown >= found.length;
}

async function search() {
  clearTimeout(timer);
  const term = words.value.trim();
  const wanted = filters();
  const key = JSON.stringify([term, wanted, order.value]);
  if (key === shownFor) return;
  shownFor = key;
  const asked = ++latest;
  remember();
  if (!term && !Object.keys(wanted).length) {
    count(await pagefind.filters());
    if (asked !== latest) return;
    found = [];
    list.replaceChildren();
    more.hidden = true;
    status.textContent = say("prompt");
    return;
  }
  const answer = await pagefind.search(term || null, { filters: wanted, sort: sorting() });
  if (asked !== latest || answer === null) return; // a newer search is on its way
  found = answer.results;
  shown = 0;
  list.replaceChildren();
  count(answer.filters);
  await showMore();
  if (asked !== latest) return;
  const what = term ? "_for" : "";
  status.textContent = found.length === 0 ? say(`none${what}`, 0, term) : say(`found${what}`, found.length, term);
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(search, DELAY);
}

async function start() {
  try {
    pagefind = await import(new URL("../pagefind/pagefind.js", import.meta.url).href);
    await pagefind.options({ excerptLength: 30 });
    await pagefind.init();
  } catch (error) {
    status.textContent = say("unavailable");
    return;
  }
  restore();
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  words.addEventListener("input", soon);
  form.addEventListener("change", (event) => {
    if (event.target !== words) search();
  });
  more.addEventListener("click", showMore);
  await search();
}

start();
