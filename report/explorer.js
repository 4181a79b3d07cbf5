/* The evidence explorer: filters the review's outcome rows in the browser.
   Controls are Observable Inputs, the timeline Observable Plot, the CSV d3 and all markup htl (which escapes
   every value), the same libraries Quarto's OJS cells use, copied into report/vendor/ so that nothing is fetched.
   The evidence map is explorer-map.js, the pooling panel explorer-pool.js (with the engine in pooling.js). The
   rows are the JSON block the build wrote into this page. The state lives in the address after '#', so a copied
   link restores the view. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const root = document.getElementById("explorer");
  const html = htl.html;
  const rows = data.rows.map((row) => Object.assign({}, data.shared.study_id[row.study_id], data.shared.arm_id[row.arm_id], row));
  const filters = data.filters;
  const words = Object.fromEntries(filters.map((f) => [f.key, new Map(f.options.map((o) => [o.value, o.label]))]));
  const [firstYear, lastYear] = data.years;
  const FORMULA_START = /^[=+\-@\t\r]/;
  const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /* --- free text: accents, case and underscores aside, field by field ----------------------------------------- */
  const COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  const FIELDS = data.search_fields;

  function fold(text) {
    return String(text).normalize("NFD").replace(COMBINING, "").toLowerCase().replace(/_/g, " ");
  }

  const fieldTexts = rows.map((row) => FIELDS.map((f) => fold(f.columns.map((c) => (row[c] == null ? "" : String(row[c]))).join("\n"))));
  const haystacks = fieldTexts.map((texts) => texts.join("\n"));

  function wordsOf(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }

  function emptyState() {
    const state = {q: "", from: firstYear, to: lastYear};
    for (const f of filters) state[f.key] = [];
    return state;
  }

  /* --- the selection, as pure functions of the state ---------------------------------------------------- */
  function matches(state, i, skip) {
    const row = rows[i];
    for (const f of filters) {
      if (f.key !== skip && state[f.key].length && !state[f.key].includes(row[f.key])) return false;
    }
    if (row.year != null && (row.year < state.from || row.year > state.to)) return false;
    return wordsOf(state.q).every((w) => haystacks[i].includes(w));
  }

  function selectIndexes(state, skip) {
    const out = [];
    for (let i = 0; i < rows.length; i++) if (matches(state, i, skip)) out.push(i);
    return out;
  }

  function select(state, skip) {
    return selectIndexes(state, skip).map((i) => rows[i]);
  }

  /* --- the state in the address ---------------------------------------------------------------------------- */
  const panel = window.alsPoolPanel(data.pooling, () => writeHash(readControls()));

  function toHash(state) {
    const params = new URLSearchParams();
    for (const f of filters) if (state[f.key].length) params.set(f.key, state[f.key].join(","));
    if (state.from !== firstYear) params.set("from", state.from);
    if (state.to !== lastYear) params.set("to", state.to);
    if (state.q) params.set("q", state.q);
    panel.writeParams(params);
    const text = params.toString().replace(/%2C/g, ",");
    return text ? "#" + text : "";
  }

  function fromHash(hash) {
    const state = emptyState();
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    for (const f of filters) {
      const known = words[f.key];
      state[f.key] = (params.get(f.key) || "").split(",").filter((code) => known.has(code));
    }
    const year = (name, fallback) => {
      const value = parseInt(params.get(name), 10);
      return Number.isFinite(value) ? Math.min(lastYear, Math.max(firstYear, value)) : fallback;
    };
    state.from = year("from", firstYear);
    state.to = year("to", lastYear);
    state.q = params.get("q") || "";
    return {state, params};
  }

  function writeHash(state) {
    const hash = toHash(state);
    const address = location.href.split("#")[0] + hash;
    try {
      history.replaceState(null, "", address);
    } catch (error) {
      location.hash = hash;
    }
    shareLink.href = address;
  }

  /* --- directions: words, colours and meanings ------------------------------------------------------------- */
  const directionCodes = data.direction_colours.map(([code]) => code);
  const directionColour = new Map(data.direction_colours);
  const meanings = data.direction_meanings || {};

  function directionLabel(code) {
    return data.direction_labels[code] || words.direction.get(code) || String(code).replace(/_/g, " ");
  }

  function swatch(code) {
    return html`<span class="explorer-swatch" aria-hidden="true" style=${{background: directionColour.get(code)}}></span>`;
  }

  /* --- controls ------------------------------------------------------------------------------------------------ */
  const countSpans = new Map();
  function optionLabel(key) {
    return (code) => {
      const count = html`<span class="explorer-option-count"></span>`;
      countSpans.set(key + "\u0000" + code, count);
      const meaning = key === "direction" ? meanings[code] || null : null;
      return html`<span title=${meaning}>${words[key].get(code)}</span> ${count}`;
    };
  }

  const checkboxes = {};
  const fieldsets = filters.map((f) => {
    checkboxes[f.key] = Inputs.checkbox(f.options.map((o) => o.value), {format: optionLabel(f.key), value: []});
    const definition = data.definitions[f.label];
    return html`<fieldset class="explorer-filter" data-filter=${f.key}>
      <legend id=${"explorer-legend-" + f.key}>${f.label}</legend>
      ${definition ? html`<p class="explorer-definition">${definition}</p>` : null}
      ${checkboxes[f.key]}
    </fieldset>`;
  });

  function yearInput(text, value) {
    const input = Inputs.range([firstYear, lastYear], {label: text, step: 1, value});
    const slider = input.querySelector("input[type=range]");
    if (slider) slider.setAttribute("aria-label", text + " (slider)");
    return input;
  }
  const fromInput = yearInput("From year", firstYear);
  const toInput = yearInput("To year", lastYear);
  const searchInput = Inputs.text({label: "Free text", type: "search", placeholder: "e.g. SOD1, treadmill, Schröder, 6 months"});
  const clearButton = Inputs.button("Clear all filters");
  const shareLink = html`<a class="explorer-share" href="#">Link to this view</a>`;
  const filterToggle = html`<button type="button" class="explorer-toggle" aria-expanded="true" aria-controls="explorer-filters">Hide filters</button>`;

  function readControls() {
    const state = emptyState();
    for (const f of filters) state[f.key] = checkboxes[f.key].value.slice();
    state.from = Math.min(fromInput.value, toInput.value);
    state.to = Math.max(fromInput.value, toInput.value);
    state.q = searchInput.value.trim();
    return state;
  }

  function setControls(state) {
    for (const f of filters) checkboxes[f.key].value = state[f.key];
    fromInput.value = state.from;
    toInput.value = state.to;
    searchInput.value = state.q;
  }

  /* --- outputs ------------------------------------------------------------------------------------------------- */
  const counts = html`<p class="explorer-counts" role="status" aria-live="polite"></p>`;
  const fieldCounts = html`<p class="explorer-field-counts"></p>`;
  const legend = html`<ul class="explorer-legend" aria-label="Directions of the matching outcomes"></ul>`;
  const download = html`<a class="explorer-download" download="als-exercise-outcomes.csv">Download</a>`;
  const mapFigure = html`<div class="explorer-figure"></div>`;
  const timelineFigure = html`<div class="explorer-figure"></div>`;
  const tableHolder = html`<div class="explorer-table" role="region" aria-label="Matching outcomes table" tabindex="0"></div>`;
  let downloadUrl = null;
  let shown = [];

  function countText(selection) {
    const studies = new Set(selection.map((r) => r.study_id)).size;
    counts.dataset.outcomes = selection.length;
    counts.dataset.studies = studies;
    counts.replaceChildren(
      html`<strong class="explorer-n-outcomes">${selection.length}</strong> of ${rows.length} outcomes match, from `,
      html`<strong class="explorer-n-studies">${studies}</strong> ${studies === 1 ? "study" : "studies"}. `, download);
  }

  // One line per direction: its colour, its plain words, how many matching outcomes; the definition on hover.
  function drawLegend(selection) {
    const byDirection = d3.rollup(selection, (v) => v.length, (r) => r.direction);
    legend.replaceChildren(...directionCodes.map((code) => html`<li class="explorer-direction" data-direction=${code}
        title=${meanings[code] || null}>${swatch(code)}${directionLabel(code)} <strong>${byDirection.get(code) || 0}</strong></li>`));
  }

  const meaningList = html`<details class="explorer-meanings"><summary>What does this mean?</summary>
    <p class="explorer-caption">Each outcome's direction is the source's own between-group result for that one measure,
      subgroup and time point, as the data dictionary defines it:</p>
    <dl>${directionCodes.filter((code) => meanings[code]).flatMap((code) => [html`<dt>${swatch(code)}${directionLabel(code)}</dt>`, html`<dd>${meanings[code]}</dd>`])}</dl>
  </details>`;

  function drawFieldCounts(state, indexes) {
    const typed = wordsOf(state.q);
    if (!typed.length) {
      fieldCounts.replaceChildren();
      return;
    }
    const parts = FIELDS.map((f, j) => {
      const n = indexes.filter((i) => typed.some((w) => fieldTexts[i][j].includes(w))).length;
      return n ? html`<span class="explorer-field-count" data-field=${f.key}>${f.label} <strong>${n}</strong></span>` : null;
    }).filter(Boolean);
    fieldCounts.replaceChildren(`Where “${state.q}” was found (matching outcomes per field): `,
      ...(parts.length ? parts.flatMap((part, i) => (i ? [" · ", part] : [part])) : ["none"]));
  }

  function updateOptionCounts(state) {
    for (const f of filters) {
      const n = d3.rollup(select(state, f.key), (v) => v.length, (r) => r[f.key]);
      for (const o of f.options) {
        const span = countSpans.get(f.key + "\u0000" + o.value);
        if (span) span.textContent = "(" + (n.get(o.value) || 0) + ")";
      }
    }
  }

  function spreadsheetSafe(value) {
    if (typeof value === "string" && FORMULA_START.test(value) && !PLAIN_NUMBER.test(value)) return "'" + value;
    return value;
  }

  function updateDownload(selection) {
    const text = d3.csvFormat(selection.map((r) => Object.fromEntries(data.columns.map((c) => [c, spreadsheetSafe(r[c])]))), data.columns);
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([text + "\n"], {type: "text/csv;charset=utf-8"}));
    download.href = downloadUrl;
    download.textContent = `Download these ${selection.length} rows as CSV`;
  }

  function orderedPresent(key, selection) {
    const present = new Set(selection.map((r) => r[key]));
    return filters.find((f) => f.key === key).options.filter((o) => present.has(o.value)).map((o) => [o.value, o.label]);
  }

  function drawMap(selection) {
    if (!selection.length) {
      mapFigure.replaceChildren(html`<p class="explorer-empty">No outcomes match these filters.</p>`);
      return;
    }
    const map = window.alsEvidenceMap.evidenceMap(selection, orderedPresent("modality", selection),
      orderedPresent("domain", selection), directionCodes, (code) => directionColour.get(code), directionLabel);
    mapFigure.replaceChildren(map, html`<p class="explorer-caption">Rows: exercise modality; columns: outcome domain. Each
      cell gives the number of studies with a matching outcome there (top) and one block per direction their outcomes
      show, with how many of those studies show it, in the colours of the key above; a study counts under each
      direction it shows (“unclear” only when it states none there), so the blocks can add up to more than the
      studies. Cells with a harmful outcome are outlined. Hover a cell for its counts in words.</p>`);
  }

  function drawTimeline(selection) {
    if (!selection.length) {
      timelineFigure.replaceChildren(html`<p class="explorer-empty">No outcomes match these filters.</p>`);
      return;
    }
    const plot = Plot.plot({
      ariaLabel: "Timeline",
      style: {fontSize: "12px"},
      ariaDescription: "Matching outcomes per publication year of their study, stacked by direction.",
      width: 760,
      height: 240,
      x: {label: "Publication year", domain: [firstYear, lastYear + 1], tickFormat: "d"},
      y: {label: "Outcomes", grid: true},
      color: {domain: directionCodes.map(directionLabel), range: directionCodes.map((c) => directionColour.get(c))},
      marks: [
        Plot.rectY(selection, Plot.binX({y: "count", title: (v) => `${v[0].year}: ${v.length} ${directionLabel(v[0].direction).toLowerCase()}`},
          {x: "year", fill: (r) => directionLabel(r.direction), thresholds: d3.range(firstYear, lastYear + 2), stroke: "white", strokeWidth: 0.5})),
        Plot.ruleY([0]),
      ],
    });
    timelineFigure.replaceChildren(plot);
  }

  /* --- the table: the key columns, and the rest of each row behind "Details" --------------------------------- */
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  const TABLE = [
    {key: "citation", header: "Study", order: (r) => r.citation.toLowerCase(),
      cell: (r) => html`<a href=${"#ref-" + r.study_id} title=${r.reference}>${r.citation}</a>`},
    {key: "year", header: "Year", order: (r) => r.year, cell: (r) => (r.year == null ? "" : String(r.year))},
    {key: "outcome", header: "Outcome", order: (r) => `${r.domain_label}\u0000${r.measure}`.toLowerCase(),
      cell: (r) => html`<span class="explorer-domain">${r.domain_label}</span>${r.measure ? html`<br><span class="explorer-measure">${r.measure}</span>` : ""}`},
    {key: "direction", header: "Direction", order: (r) => directionCodes.indexOf(r.direction),
      cell: (r) => html`<span title=${meanings[r.direction] || null}>${swatch(r.direction)}${directionLabel(r.direction)}</span>`},
    {key: "finding", header: "Finding", order: (r) => String(r.finding || "").toLowerCase(),
      cell: (r) => html`<span>${r.finding || ""}</span>${details(r)}`},
  ];
  let sortKey = null, descending = false;

  function numbers(r) {
    const n = [r.n_exercise, r.n_control].every((v) => v == null) ? "" : `n = ${r.n_exercise == null ? "?" : r.n_exercise} exercise, ${r.n_control == null ? "?" : r.n_control} control`;
    const estimate = r.effect == null ? "" : `${r.effect_measure || "effect"} ${r.effect}` + (r.ci_lower == null ? "" : ` (95% CI ${r.ci_lower} to ${r.ci_upper})`);
    const p = r.p_value == null ? "" : `p ${/^[<>=]/.test(String(r.p_value)) ? "" : "= "}${r.p_value}`;
    return [n, estimate, p].filter(Boolean).join("; ");
  }

  function details(r) {
    const model = r.model && r.model.toLowerCase() !== String(r.population_label).toLowerCase() ? `${r.population_label}: ${r.model}` : r.population_label;
    const href = safeUrl(r.source_url) || safeUrl(r.study_source_url);
    const items = [["Species", r.species_label], ["Model", model], ["Design", r.evidence_type_label], ["Modality", r.modality_label],
      ["Arm", r.arm_label], ["Comparator", r.comparator], ["Time point", r.time_point], ["Numbers", numbers(r)],
      ["Read from", r.extraction && String(r.extraction).replace(/_/g, " ")], ["Notes", r.notes], ["Arm notes", r.arm_notes], ["Study notes", r.study_notes]].filter(([, value]) => value != null && value !== "");
    return html`<details class="explorer-more"><summary>Details</summary><dl>
      ${items.flatMap(([name, value]) => [html`<dt>${name}</dt>`, html`<dd>${value}</dd>`])}
      ${href ? [html`<dt>Source</dt>`, html`<dd><a href=${href} rel="noopener" aria-label=${"Source page of " + r.citation}>source</a></dd>`] : null}
    </dl></details>`;
  }

  function sorted(selection) {
    if (!sortKey) return selection;
    const column = TABLE.find((c) => c.key === sortKey);
    const out = selection.slice().sort((a, b) => d3.ascending(column.order(a), column.order(b)));
    return descending ? out.reverse() : out;
  }

  function drawTable(selection) {
    if (!selection.length) {
      tableHolder.replaceChildren();
      return;
    }
    const head = TABLE.map((c) => {
      const button = html`<button type="button" class="explorer-sort">${c.header}</button>`;
      button.addEventListener("click", () => {
        descending = sortKey === c.key ? !descending : false;
        sortKey = c.key;
        drawTable(shown);
        tableHolder.querySelector(`th.explorer-col-${c.key} button`).focus();  // the header was redrawn: keep the reader's place
      });
      const state = sortKey !== c.key ? "none" : descending ? "descending" : "ascending";
      return html`<th scope="col" class=${"explorer-col-" + c.key} aria-sort=${state}>${button}</th>`;
    });
    const body = sorted(selection).map((r) => html`<tr data-outcome=${r.outcome_id}>${TABLE.map((c) => html`<td class=${"explorer-col-" + c.key}>${c.cell(r)}</td>`)}</tr>`);
    tableHolder.replaceChildren(html`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }

  function render(state) {
    const indexes = selectIndexes(state);
    shown = indexes.map((i) => rows[i]);
    countText(shown);
    drawFieldCounts(state, indexes);
    drawLegend(shown);
    updateOptionCounts(state);
    updateDownload(shown);
    drawTable(shown);
    panel.setView(new Set(shown.map((r) => r.study_id)));
    drawMap(shown);
    drawTimeline(shown);
  }

  function onChange() {
    const state = readControls();
    writeHash(state);
    render(state);
  }

  function restore() {
    const {state, params} = fromHash(location.hash);
    panel.readParams(params);
    setControls(state);
    render(state);
    writeHash(state);
  }

  /* --- page ---------------------------------------------------------------------------------------------------- */
  const sidebar = html`<aside class="explorer-sidebar" id="explorer-filters" aria-label="Filters">
    <div class="explorer-years">${fromInput}${toInput}</div>${fieldsets}
  </aside>`;
  const top = html`<div class="explorer-top" role="search" aria-label="Search and filters">
    <div class="explorer-row">${searchInput}${filterToggle}${clearButton}${shareLink}</div>${fieldCounts}
  </div>`;
  const jump = (target, text) => {
    const button = html`<button type="button" class="explorer-jump">${text}</button>`;
    button.addEventListener("click", () => target().scrollIntoView({block: "start"}));
    return button;
  };
  const mapHeading = html`<h3 id="explorer-map-heading">Evidence map</h3>`;
  const timelineHeading = html`<h3 id="explorer-timeline-heading">Timeline</h3>`;
  const layout = html`<div class="explorer-layout">${sidebar}
    <section class="explorer-main" aria-labelledby="explorer-results-heading">
      <h2 id="explorer-results-heading" class="explorer-results-heading">Matching outcomes</h2>
      ${counts}
      <div class="explorer-key">${legend}${meaningList}</div>
      <p class="explorer-caption">Sort by a column's name; “Details” opens the rest of a row. Further down:
        ${jump(() => panel.element, "pool trials")} · ${jump(() => mapHeading, "evidence map")} · ${jump(() => timelineHeading, "timeline")}.</p>
      ${tableHolder}
      ${panel.element}
      ${mapHeading}${mapFigure}
      ${timelineHeading}${timelineFigure}
    </section>
  </div>`;
  root.replaceChildren(
    data.note ? html`<p class="explorer-note"><strong>${data.note}</strong> Build the full review to explore every work.</p>` : "",
    top, layout);
  top.addEventListener("input", onChange);
  sidebar.addEventListener("input", onChange);
  clearButton.addEventListener("input", () => {
    setControls(emptyState());
    onChange();
  });
  filterToggle.addEventListener("click", () => {
    const open = filterToggle.getAttribute("aria-expanded") === "true";
    filterToggle.setAttribute("aria-expanded", String(!open));
    filterToggle.textContent = open ? "Show filters" : "Hide filters";
    sidebar.hidden = open;
    layout.classList.toggle("explorer-filters-hidden", open);
  });
  window.addEventListener("hashchange", restore);
  restore();

  // For the browser tests and for anyone scripting the page: the state, the rows shown and the pooling.
  window.alsExplorer = {state: readControls, shownIds: () => shown.map((r) => r.outcome_id), toHash, fromHash, spreadsheetSafe,
    fold, pool: {state: panel.state, analysis: panel.analysis}};
  // The page's pooling of any contrasts, with the page's settings (the agreement tests feed it synthetic sets).
  const engine = data.pooling.settings;
  window.__poolForTest = (contrasts, options) => window.alsPooling.analyse(contrasts, Object.assign({
    z95: engine.z95, xtol: engine.tau2_xtol, words: engine.favours}, options));
})();
