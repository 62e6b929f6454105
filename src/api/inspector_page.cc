#include "src/api/inspector_page.h"

namespace custhub::api {
namespace {

// Plain HTML, CSS and JS. Data is written with textContent only (see el()).
constexpr char kPage[] = R"page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>custhub · customer inspector</title>
<style>
  :root {
    --bg: #f4f5f7; --card: #fff; --ink: #1d2330; --muted: #667085;
    --line: #e4e7ec; --accent: #2f5bea;
    --green: #107a3f; --green-bg: #dcf5e6; --amber: #8a5a00; --amber-bg: #fdf0d2;
    --red: #b42318; --red-bg: #fde4e1; --grey: #475467; --grey-bg: #eaecf0;
    --blue: #1f4fbf; --blue-bg: #e0e9ff; --purple: #6a2bb8; --purple-bg: #efe3ff;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--ink);
         font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  header { background: #141a2a; color: #fff; padding: 14px 24px; display: flex;
           gap: 24px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; white-space: nowrap; }
  header h1 span { color: #9fb3ff; font-weight: 400; }
  form { display: flex; gap: 8px; flex: 1; max-width: 640px; }
  input[type=search] { flex: 1; font-size: 16px; padding: 9px 12px; border-radius: 6px;
                       border: 1px solid #3a4256; background: #fff; color: var(--ink); }
  button { font-size: 15px; padding: 9px 18px; border-radius: 6px; border: 0;
           background: var(--accent); color: #fff; cursor: pointer; font-weight: 600; }
  button:hover { filter: brightness(1.1); }
  main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
  .notice { padding: 18px 20px; border-radius: 8px; background: var(--card);
            border: 1px solid var(--line); color: var(--muted); }
  .notice.error { background: var(--red-bg); border-color: #f5b5ad; color: var(--red);
                  font-weight: 600; }
  .hidden { display: none; }
  .who { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap;
         margin: 4px 0 16px; }
  .who h2 { margin: 0; font-size: 26px; }
  .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
          font-size: 13px; color: var(--muted); }
  .badge { display: inline-block; padding: 2px 10px; border-radius: 999px;
           font-size: 12px; font-weight: 700; letter-spacing: .02em; text-transform: uppercase; }
  .b-green { color: var(--green); background: var(--green-bg); }
  .b-amber { color: var(--amber); background: var(--amber-bg); }
  .b-red { color: var(--red); background: var(--red-bg); }
  .b-grey { color: var(--grey); background: var(--grey-bg); }
  .b-blue { color: var(--blue); background: var(--blue-bg); }
  .b-purple { color: var(--purple); background: var(--purple-bg); }
  .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
             gap: 12px; margin-bottom: 16px; }
  .fig { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
         padding: 14px 16px; }
  .fig-value { display: block; font-size: 30px; font-weight: 700; line-height: 1.15;
               font-variant-numeric: tabular-nums; }
  .fig-label { color: var(--muted); font-size: 13px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
          gap: 12px; margin-bottom: 16px; }
  section.card { background: var(--card); border: 1px solid var(--line);
                 border-radius: 10px; padding: 14px 18px; }
  section.card h3 { margin: 0 0 10px; font-size: 14px; text-transform: uppercase;
                    letter-spacing: .06em; color: var(--muted); }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 5px 16px; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums;
       overflow-wrap: break-word; min-width: 0; }
  .fig.warn { border-color: #f3c969; background: var(--amber-bg); }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line);
           vertical-align: top; }
  th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em;
       color: var(--muted); font-weight: 600; }
  td.when { white-space: nowrap; font-variant-numeric: tabular-nums; color: var(--muted); }
  .empty { color: var(--muted); font-style: italic; padding: 6px 0; }
  .count { color: var(--muted); font-weight: 400; text-transform: none; letter-spacing: 0; }
</style>
</head>
<body>
<header>
  <h1>custhub <span>customer inspector</span></h1>
  <form id="search" role="search">
    <input id="q" type="search" name="q" autocomplete="off" autofocus
           placeholder="Email, phone or customer id" aria-label="Email, phone or customer id">
    <button type="submit">Search</button>
  </form>
</header>
<main>
  <div id="notice" class="notice" role="status">
    Search for a customer by email, phone (+15550000001), customer id (cus_...)
    or a platform id (shopify:6405012345).
  </div>
  <div id="profile" class="hidden"></div>
</main>
<script>
"use strict";
// Builds an element; strings become text nodes, so data is never parsed as HTML.
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const dash = "\u2014";

function money(m) {
  if (!m || m.minor === undefined || !m.currency) return dash;
  const minor = Number(m.minor);
  try {
    const f = new Intl.NumberFormat("en-US", { style: "currency", currency: m.currency });
    const digits = f.resolvedOptions().maximumFractionDigits;
    return f.format(minor / Math.pow(10, digits));
  } catch (e) {
    return (minor / 100).toFixed(2) + " " + m.currency;
  }
}
function when(ts) {
  if (!ts) return dash;
  const d = new Date(ts);
  if (isNaN(d.getTime())) return String(ts);
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}
function whenMicros(us) {
  const n = Number(us);
  return n ? when(new Date(n / 1000).toISOString()) : dash;
}
function num(v) { return Number(v || 0).toLocaleString("en-US"); }
function percent(v) { return (Number(v || 0) * 100).toFixed(0) + "%"; }
function label(s) { return String(s || "").replace(/_/g, " "); }

const consentStyle = { SUBSCRIBED: "b-green", UNSUBSCRIBED: "b-grey",
                       BOUNCED: "b-amber", SPAM_COMPLAINT: "b-red", UNKNOWN: "b-grey" };
const stageStyle = { vip: "b-purple", active: "b-green", new: "b-blue",
                     at_risk: "b-amber", lapsed: "b-grey" };
function consentBadge(c, prefix) {
  c = c || "UNKNOWN";
  return el("span", { class: "badge " + (consentStyle[c] || "b-grey"),
                      "data-field": "consent" }, (prefix || "") + label(c.toLowerCase()));
}

function figure(field, value, caption, warn) {
  return el("div", { class: warn ? "fig warn" : "fig" },
            el("span", { class: "fig-value", "data-field": field }, value),
            el("span", { class: "fig-label" }, caption));
}
function card(title, ...body) {
  return el("section", { class: "card" }, el("h3", {}, title), ...body);
}
function facts(rows) {
  return el("dl", {}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}
function list(values, emptyText) {
  return values && values.length ? values.join(", ") : emptyText;
}

function renderProfile(p, timeline, triggers) {
  const o = p.orders || {}, r = p.returns || {}, s = p.support || {};
  const em = p.email || {}, c = p.checkout || {}, t = p.traits || {};
  const name = [p.firstName, p.lastName].filter(Boolean).join(" ");
  const primary = (p.emails && p.emails[0]) || (p.phones && p.phones[0]) || p.customerId;
  const ext = Object.entries(p.externalIds || {}).sort()
                    .map(([k, v]) => k + ": " + v);

  const who = el("div", { class: "who" },
    el("h2", { "data-field": "name" }, name || primary),
    el("span", { class: "mono", "data-field": "customer-id" }, p.customerId),
    t.lifecycleStage ? el("span", { class: "badge " + (stageStyle[t.lifecycleStage] || "b-grey"),
                                    "data-field": "lifecycle" }, label(t.lifecycleStage)) : null,
    consentBadge(em.consent, "email: "));

  const figures = el("div", { class: "figures" },
    figure("net-revenue", money(o.netRevenue), "Net revenue"),
    figure("orders-count", num(o.count), "Orders"),
    figure("average-order", money(o.averageOrderValue), "Average order"),
    figure("open-tickets", num(s.openTickets), "Open tickets (" + num(s.totalTickets) + " total)",
           (s.openTickets || 0) > 0),
    figure("returns-count", num(r.count), "Returns (" + percent(r.returnRate) + " of items)"),
    figure("churn-risk", percent(t.churnRisk), "Churn risk"));

  const cards = el("div", { class: "grid" },
    card("Identities", facts([
      ["Emails", el("span", { "data-field": "emails" }, list(p.emails, dash))],
      ["Phones", el("span", { "data-field": "phones" }, list(p.phones, dash))],
      ["Platform ids", list(ext, dash)],
      ["First seen", when(p.firstSeenAt)],
      ["Last event", when(p.lastEventAt)],
      ["Events applied", num(p.eventsApplied)]])),
    card("Orders", facts([
      ["Orders", num(o.count)], ["First order", when(o.firstOrderAt)],
      ["Last order", when(o.lastOrderAt)], ["Gross revenue", money(o.grossRevenue)],
      ["Refunded", money(o.refunded)], ["Net revenue", money(o.netRevenue)],
      ["Average order", money(o.averageOrderValue)], ["Cancelled", num(o.cancelledCount)],
      ["Open (unfulfilled)", num(o.openCount)], ["Items bought", num(o.itemsBought)]])),
    card("Returns", facts([
      ["Returns", num(r.count)], ["Items returned", num(r.itemsReturned)],
      ["Return rate", percent(r.returnRate)], ["Last return", when(r.lastReturnAt)]])),
    card("Support", facts([
      ["Open tickets", num(s.openTickets)], ["Total tickets", num(s.totalTickets)],
      ["Last ticket", when(s.lastTicketAt)],
      ["Last satisfaction", s.lastSatisfaction || dash]])),
    card("Email", facts([
      ["Marketing consent", consentBadge(em.consent)], ["Delivered", num(em.delivered)],
      ["Opens", num(em.opens)], ["Clicks", num(em.clicks)], ["Bounces", num(em.bounces)],
      ["Spam complaints", num(em.spamComplaints)], ["Last open", when(em.lastOpenAt)],
      ["Last click", when(em.lastClickAt)]])),
    card("Open checkout", c.open
      ? facts([["Value", money(c.value)], ["Open since", when(c.since)]])
      : el("div", { class: "empty" }, "No open checkout.")),
    card("Traits", facts([
      ["Lifecycle stage", label(t.lifecycleStage) || dash],
      ["RFM scores (R / F / M)",
       [t.recency || 0, t.frequency || 0, t.monetary || 0].join(" / ")],
      ["Churn risk", percent(t.churnRisk)], ["Predicted lifetime value", money(t.predictedLtv)]])));

  const timelineCard = card("Timeline",
    timeline.length === 0
      ? el("div", { class: "empty", "data-field": "timeline-empty" },
           "No events in the timeline window.")
      : el("table", { "data-field": "timeline" },
          el("thead", {}, el("tr", {}, el("th", {}, "When"), el("th", {}, "Source"),
                                        el("th", {}, "Event"), el("th", {}, "What"))),
          el("tbody", {}, timeline.map(e => el("tr", {},
            el("td", { class: "when" }, whenMicros(e.atMicros)), el("td", {}, e.source),
            el("td", {}, e.eventType || dash), el("td", {}, e.summary))))));
  timelineCard.querySelector("h3").append(
    el("span", { class: "count" }, " \u00b7 newest first, " + timeline.length + " shown"));

  const triggersCard = card("Triggers",
    triggers.length === 0
      ? el("div", { class: "empty", "data-field": "triggers-empty" },
           "No triggers for this customer.")
      : el("table", { "data-field": "triggers" },
          el("thead", {}, el("tr", {}, el("th", {}, "When"), el("th", {}, "Trigger"),
                                        el("th", {}, "Status"), el("th", {}, "Reason"))),
          el("tbody", {}, triggers.map(g => el("tr", {},
            el("td", { class: "when" }, when(g.firedAt)), el("td", {}, label(g.kind)),
            el("td", {}, g.suppressedBy
              ? el("span", { class: "badge b-amber" }, "suppressed: " + label(g.suppressedBy))
              : el("span", { class: "badge b-green" }, "fired")),
            el("td", {}, g.reason || dash))))));

  const view = document.getElementById("profile");
  view.replaceChildren(who, figures, cards, el("div", { class: "grid" }, timelineCard),
                       el("div", { class: "grid" }, triggersCard));
  view.classList.remove("hidden");
}

function notice(text, isError) {
  const n = document.getElementById("notice");
  n.textContent = text;
  n.className = "notice" + (isError ? " error" : "");
  n.classList.toggle("hidden", !text);
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  return { status: res.status, body };
}

async function search(q) {
  q = q.trim();
  if (!q) return;
  document.getElementById("profile").classList.add("hidden");
  notice("Looking up " + q + " \u2026", false);
  try {
    const base = "/v1/profiles/";
    const prof = await getJson(base + encodeURIComponent(q));
    if (prof.status === 404) {
      notice("No customer matches \u201c" + q + "\u201d. Check the spelling, or try " +
             "another email, phone or id.", true);
      return;
    }
    if (prof.status !== 200 || !prof.body) {
      const msg = prof.body && prof.body.error ? prof.body.error.message : "HTTP " + prof.status;
      notice("Could not look up \u201c" + q + "\u201d: " + msg, true);
      return;
    }
    const id = encodeURIComponent(prof.body.customerId);
    const [tl, tr] = await Promise.all([getJson(base + id + "/timeline?limit=100"),
                                        getJson(base + id + "/triggers?limit=100")]);
    renderProfile(prof.body, (tl.body && tl.body.entries) || [],
                  (tr.body && tr.body.triggers) || []);
    notice("", false);
  } catch (e) {
    notice("The hub did not answer: " + e.message, true);
  }
}

document.getElementById("search").addEventListener("submit", ev => {
  ev.preventDefault();
  const q = document.getElementById("q").value;
  history.replaceState(null, "", "?q=" + encodeURIComponent(q.trim()));
  search(q);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  document.getElementById("q").value = initial;
  search(initial);
}
</script>
</body>
</html>
)page";

}  // namespace

absl::string_view InspectorPage() { return kPage; }

}  // namespace custhub::api
