/* The evidence explorer: filters the review's outcome rows in the browser.
   Controls and the results table are Observable Inputs, the charts Observable Plot, the CSV d3 and all markup htl
   (which escapes every value), the same libraries Quarto's OJS cells use, copied into report/vendor/ so that
   nothing is fetched. The rows are the JSON block the build wrote into this page. The filter state lives in the
   address after '#', so a copied link restores the view. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const root = document.getElementById("explorer");
  const html = htl.html;
  const rows = data.rows;
  const filters = data.filters;
  const words = Object.fromEntries(filters.map((f) => [f.key, new Map(f.options.map((o) => [o.value, o.label]))]));
  const [firstYear, lastYear] = data.years;
  const haystacks = rows.map((row) => data.searched.map((c) => (row[c] == null ? "" : String(row[c]))).join("\n").toLowerCase());
  const FORMULA_START = /^[=+\-@\t\r]/;
  const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  function emptyState() {
    const state = {q: "", from: firstYear, to: lastYear};
    for (const f of filters) state[f.key] = [];
    return state;
  }

  /* --- the selection, as pure functions of the state ---------------------------------------------------- */
  function words_of(query) {
    return query.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(state, i, skip) {
    const row = rows[i];
    for (const f of filters) {
      if (f.key !== skip && state[f.key].length && !state[f.key].includes(row[f.key])) return false;
    }
    if (row.year != null && (row.year < state.from || row.year > state.to)) return false;
    return words_of(state.q).every((w) => haystacks[i].includes(w));
  }

  function select(state, skip) {
    const out = [];
    for (let i = 0; i < rows.length; i++) if (matches(state, i, skip)) out.push(rows[i]);
    return out;
  }

  /* --- the state in the address ---------------------------------------------------------------------------- */
  function toHash(state) {
    const params = new URLSearchParams();
    for (const f of filters) if (state[f.key].length) params.set(f.key, state[f.key].join(","));
    if (state.from !== firstYear) params.set("from", state.from);
    if (state.to !== lastYear) params.set("to", state.to);
    if (state.q) params.set("q", state.q);
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
    return state;
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

  /* --- controls ------------------------------------------------------------------------------------------------ */
  const countSpans = new Map();
  function optionLabel(key) {
    return (code) => {
      const count = html`<span class="explorer-option-count"></span>`;
      countSpans.set(key + "\u0000" + code, count);
      return html`<span>${words[key].get(code)}</span> ${count}`;
    };
  }

  const checkboxes = {};
  const fieldsets = filters.map((f) => {
    checkboxes[f.key] = Inputs.checkbox(f.options.map((o) => o.value), {format: optionLabel(f.key), value: []});
    const legendId = "explorer-legend-" + f.key;
    const definition = data.definitions[f.label];
    return html`<fieldset class="explorer-filter" data-filter=${f.key}>
      <legend id=${legendId}>${f.label}</legend>
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
  const searchInput = Inputs.text({label: "Free text", type: "search", placeholder: "e.g. SOD1, treadmill, 6 months"});
  const clearButton = Inputs.button("Clear all filters");
  const shareLink = html`<a class="explorer-share" href="#">Link to this view</a>`;

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
  const download = html`<a class="explorer-download" download="als-exercise-outcomes.csv">Download</a>`;
  const mapFigure = html`<div class="explorer-figure"></div>`;
  const timelineFigure = html`<div class="explorer-figure"></div>`;
  const tableHolder = html`<div class="explorer-table"></div>`;
  let downloadUrl = null;
  let shown = [];

  const directionCodes = data.direction_colours.map(([code]) => code);
  const directionColour = new Map(data.direction_colours);

  function directionLabel(code) {
    return words.direction.get(code) || String(code).replace(/_/g, " ");
  }

  function countText(selection) {
    const studies = new Set(selection.map((r) => r.study_id)).size;
    const byDirection = d3.rollup(selection, (v) => v.length, (r) => r.direction);
    const parts = directionCodes.filter((code) => byDirection.get(code))
      .map((code) => html`<span class="explorer-direction" data-direction=${code}>${directionLabel(code)} <strong>${byDirection.get(code)}</strong></span>`);
    counts.dataset.outcomes = selection.length;
    counts.dataset.studies = studies;
    counts.replaceChildren(
      html`<strong class="explorer-n-outcomes">${selection.length}</strong> of ${rows.length} outcomes match, from `,
      html`<strong class="explorer-n-studies">${studies}</strong> ${studies === 1 ? "study" : "studies"}. `,
      ...parts.flatMap((part, i) => (i ? [" · ", part] : [part])));
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
    return filters.find((f) => f.key === key).options.filter((o) => present.has(o.value)).map((o) => o.label);
  }

  function drawMap(selection) {
    if (!selection.length) {
      mapFigure.replaceChildren(html`<p class="explorer-empty">No outcomes match these filters.</p>`);
      return;
    }
    const cells = d3.flatRollup(selection, (v) => ({
      studies: new Set(v.map((r) => r.study_id)).size,
      outcomes: v.length,
      directions: Array.from(d3.rollup(v, (w) => w.length, (r) => r.direction), ([k, n]) => `${directionLabel(k)} ${n}`).join(", "),
    }), (r) => r.modality_label, (r) => r.domain_label).map(([modality, domain, v]) => ({modality, domain, ...v}));
    const top = d3.max(cells, (d) => d.studies);
    const modalities = orderedPresent("modality", selection);
    const domains = orderedPresent("domain", selection);
    const plot = Plot.plot({
      ariaLabel: "Evidence map",
      style: {fontSize: "12px"},
      ariaDescription: `Studies per exercise modality and outcome domain for the ${selection.length} matching outcomes.`,
      width: Math.max(380, 220 + 80 * domains.length),
      height: 150 + 30 * modalities.length,
      marginLeft: 200,
      marginBottom: 110,
      x: {domain: domains, label: "Outcome domain", tickRotate: -35},
      y: {domain: modalities, label: null},
      color: {type: "linear", scheme: "blues", domain: [0, Math.max(top, 1)], legend: true, label: "Studies",
        ticks: Math.min(Math.max(top, 1), 5), tickFormat: "d"},
      marks: [
        Plot.cell(cells, {x: "domain", y: "modality", fill: "studies", inset: 0.5,
          title: (d) => `${d.modality} × ${d.domain}: ${d.studies} ${d.studies === 1 ? "study" : "studies"}, ${d.outcomes} outcomes (${d.directions})`}),
        Plot.text(cells, {x: "domain", y: "modality", text: "studies", fill: (d) => (d.studies > top / 2 ? "white" : "black")}),
      ],
    });
    mapFigure.replaceChildren(plot, html`<p class="explorer-caption">Rows: exercise modality; columns: outcome domain. Each cell counts the studies with at least one matching outcome of that modality and domain; hover a cell for its outcomes by direction.</p>`);
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
      color: {domain: directionCodes.map(directionLabel), range: directionCodes.map((c) => directionColour.get(c)), legend: true, label: "Direction"},
      marks: [
        Plot.rectY(selection, Plot.binX({y: "count", title: (v) => `${v[0].year}: ${v.length} ${directionLabel(v[0].direction).toLowerCase()}`},
          {x: "year", fill: (r) => directionLabel(r.direction), thresholds: d3.range(firstYear, lastYear + 2), stroke: "white", strokeWidth: 0.5})),
        Plot.ruleY([0]),
      ],
    });
    timelineFigure.replaceChildren(plot);
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  const HEADER = {citation: "Study", year: "Year", species_label: "Species", population_label: "Model",
    evidence_type_label: "Design", modality_label: "Modality", domain_label: "Domain", measure: "Measure",
    time_point: "Time point", direction_label: "Direction", finding: "Finding", source_url: "Source"};

  function drawTable(selection) {
    if (!selection.length) {
      tableHolder.replaceChildren();
      return;
    }
    const table = Inputs.table(selection, {
      columns: Object.keys(HEADER),
      header: HEADER,
      select: false,
      rows: 16,
      layout: "auto",
      format: {
        year: (y) => String(y),
        population_label: (words, i, all) => {
          const model = all[i].model;
          return model && model.toLowerCase() !== words.toLowerCase() ? `${words}: ${model}` : words;
        },
        citation: (text, i, all) => html`<a href=${"#ref-" + all[i].study_id} title=${all[i].reference}>${text}</a>`,
        source_url: (url, i, all) => {
          const href = safeUrl(url) || safeUrl(all[i].study_source_url);
          return href ? html`<a href=${href} rel="noopener" aria-label=${"Source page of " + all[i].citation}>source</a>` : "";
        },
      },
    });
    table.setAttribute("aria-label", "Matching outcomes");
    for (const th of table.querySelectorAll("thead th")) {  // sortable by keyboard as well as by mouse
      if (!th.textContent.trim()) continue;
      th.tabIndex = 0;
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          th.click();
        }
      });
    }
    tableHolder.replaceChildren(table);
  }

  function render(state) {
    shown = select(state);
    countText(shown);
    updateOptionCounts(state);
    updateDownload(shown);
    drawMap(shown);
    drawTimeline(shown);
    drawTable(shown);
  }

  function onChange() {
    const state = readControls();
    writeHash(state);
    render(state);
  }

  function restore() {
    const state = fromHash(location.hash);
    setControls(state);
    writeHash(state);
    render(state);
  }

  /* --- page ---------------------------------------------------------------------------------------------------- */
  const controls = html`<div class="explorer-controls" role="search" aria-label="Filters">
    <div class="explorer-row">${searchInput}${fromInput}${toInput}</div>
    <div class="explorer-filters">${fieldsets}</div>
    <div class="explorer-row">${clearButton}${shareLink}</div>
  </div>`;
  root.replaceChildren(
    data.note ? html`<p class="explorer-note"><strong>${data.note}</strong> Build the full review to explore every work.</p>` : "",
    controls,
    html`<section aria-labelledby="explorer-results-heading">
      <h2 id="explorer-results-heading" class="anchored">Matching outcomes</h2>
      ${counts}<p>${download}</p>
      <h3>Evidence map</h3>${mapFigure}
      <h3>Timeline</h3>${timelineFigure}
      <h3>Outcomes</h3><p class="explorer-caption">Click or press Enter on a column header to sort. “Study” leads to the full reference below; “source” to the page the row was read on.</p>
      ${tableHolder}
    </section>`);
  controls.addEventListener("input", onChange);
  clearButton.addEventListener("input", () => {
    setControls(emptyState());
    onChange();
  });
  window.addEventListener("hashchange", restore);
  restore();

  // For the browser tests and for anyone scripting the page: the state and the rows shown.
  window.alsExplorer = {state: readControls, shownIds: () => shown.map((r) => r.outcome_id), toHash, fromHash, spreadsheetSafe};
})();
