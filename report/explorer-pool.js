/* The explorer's pooling panel: the reader picks an outcome and follow-up window, the trials, whether rows usable
   only under recorded assumptions count, and the model; the page pools them with window.alsPooling (the review's
   engine and rules in JavaScript), draws a forest plot and says what the choice changed against the review's own
   analysis. The contrasts, the review's results and the engine's settings are the build's (explorer_pooling.py).
   Markup is htl's, which escapes every value. Exposes window.alsPoolPanel(pooling, onChange). */
(function () {
  "use strict";
  const P = window.alsPooling;
  const html = htl.html, svg = htl.svg;
  const PARAMS = ["pool", "window", "trials", "assumptions", "model"];

  function fixed(x, digits) {
    if (x == null || !Number.isFinite(x)) return "–";
    const text = x.toFixed(digits === undefined ? 2 : digits);
    return /^-0\.?0*$/.test(text) ? text.slice(1) : text.replace("-", "\u2212");
  }

  function interval(lower, upper) {
    return `${fixed(lower)} to ${fixed(upper)}`;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  function listOf(words) {
    return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
  }

  /* --- the forest plot ----------------------------------------------------------------------------------------- */
  const FOREST = {width: 640, label: 150, plotLeft: 162, plotRight: 420, text: 432, weight: 636, row: 24, top: 28};

  function forestScale(analysis) {
    const values = [0];
    for (const r of analysis.rows) values.push(r.ci_lower, r.ci_upper);
    const result = analysis.result;
    if (result) values.push(result.re_ci_lower, result.re_ci_upper, result.pi_lower, result.pi_upper);
    const [low, high] = d3.extent(values.filter((v) => v != null && Number.isFinite(v)));
    const domain = low === high ? [low - 1, high + 1] : [low, high];
    return d3.scaleLinear().domain(domain).nice().range([FOREST.plotLeft, FOREST.plotRight]);
  }

  function trialRow(r, y, x, showScale) {
    const side = r.weight == null ? 8 : 5 + 11 * Math.sqrt(r.weight);
    const label = showScale ? `${r.citation} (${r.scale_label})` : r.citation;
    return svg`<g class="pool-forest-trial" data-study=${r.study_id}>
      <title>${label}: ${fixed(r.pooled_effect)} (95% CI ${interval(r.ci_lower, r.ci_upper)})</title>
      <text x=${FOREST.label} y=${y} dy="0.35em" text-anchor="end">${r.citation}</text>
      <line x1=${x(r.ci_lower)} x2=${x(r.ci_upper)} y1=${y} y2=${y} stroke="#212529" stroke-width="1.4"></line>
      <rect x=${x(r.pooled_effect) - side / 2} y=${y - side / 2} width=${side} height=${side} fill="#212529"></rect>
      <text x=${FOREST.text} y=${y} dy="0.35em">${fixed(r.pooled_effect)} [${fixed(r.ci_lower)}, ${fixed(r.ci_upper)}]</text>
      <text x=${FOREST.weight} y=${y} dy="0.35em" text-anchor="end">${r.weight == null ? "" : fixed(100 * r.weight, 1) + "%"}</text>
    </g>`;
  }

  function pooledRows(result, y, x, modelWords) {
    const diamond = [[x(result.re_ci_lower), y], [x(result.re_estimate), y - 7], [x(result.re_ci_upper), y], [x(result.re_estimate), y + 7]];
    const parts = [svg`<g class="pool-forest-pooled">
      <title>Pooled: ${fixed(result.re_estimate)} (95% CI ${interval(result.re_ci_lower, result.re_ci_upper)})</title>
      <text x=${FOREST.label} y=${y} dy="0.35em" text-anchor="end" font-weight="600">Pooled (${modelWords})</text>
      <polygon points=${diamond.map((p) => p.join(",")).join(" ")} fill="#0072B2"></polygon>
      <text x=${FOREST.text} y=${y} dy="0.35em" font-weight="600">${fixed(result.re_estimate)} [${fixed(result.re_ci_lower)}, ${fixed(result.re_ci_upper)}]</text>
      <text x=${FOREST.weight} y=${y} dy="0.35em" text-anchor="end">100%</text>
    </g>`];
    if (result.pi_lower != null) {
      const py = y + FOREST.row;
      parts.push(svg`<g class="pool-forest-prediction">
        <title>95% prediction interval: ${interval(result.pi_lower, result.pi_upper)}</title>
        <text x=${FOREST.label} y=${py} dy="0.35em" text-anchor="end">Prediction interval</text>
        <line x1=${x(result.pi_lower)} x2=${x(result.pi_upper)} y1=${py} y2=${py} stroke="#0072B2" stroke-width="2" stroke-dasharray="4 3"></line>
        <text x=${FOREST.text} y=${py} dy="0.35em">[${fixed(result.pi_lower)}, ${fixed(result.pi_upper)}]</text>
      </g>`);
    }
    return parts;
  }

  function forestAxis(x, y, sides, axisLabel) {
    const format = x.tickFormat(6);
    const ticks = x.ticks(6).map((t) => svg`<g><line x1=${x(t)} x2=${x(t)} y1=${y} y2=${y + 4} stroke="#212529"></line>
      <text x=${x(t)} y=${y + 15} text-anchor="middle">${format(t)}</text></g>`);
    return svg`<g class="pool-forest-axis">
      <line x1=${FOREST.plotLeft} x2=${FOREST.plotRight} y1=${y} y2=${y} stroke="#212529"></line>${ticks}
      <text x=${(FOREST.plotLeft + FOREST.plotRight) / 2} y=${y + 31} text-anchor="middle">${axisLabel}</text>
      <text x=${x(0) - 6} y=${y + 47} text-anchor="end">${sides[0]}</text>
      <text x=${x(0) + 6} y=${y + 47}>${sides[1]}</text>
    </g>`;
  }

  function forestPlot(analysis, settings, axisLabel, modelWords) {
    const x = forestScale(analysis);
    const showScale = analysis.measure === settings.standardised;
    const trials = analysis.rows.map((r, i) => trialRow(r, FOREST.top + i * FOREST.row, x, showScale));
    const pooledY = FOREST.top + (analysis.rows.length + 0.5) * FOREST.row;
    const pooled = analysis.result ? pooledRows(analysis.result, pooledY, x, modelWords) : [];
    const lines = analysis.rows.length + (analysis.result ? 1.5 + (analysis.result.pi_lower != null ? 1 : 0) : 0);
    const axisY = FOREST.top + lines * FOREST.row;
    const height = axisY + 58;
    const sides = settings.sides[analysis.better] || settings.sides[""];
    return html`<svg class="pool-forest" role="img" aria-label=${"Forest plot: " + axisLabel} width=${FOREST.width}
        height=${height} viewBox=${`0 0 ${FOREST.width} ${height}`} font-size="12" font-family="system-ui, sans-serif"
        style="max-width: 100%; height: auto">
      <g font-weight="600"><text x=${FOREST.label} y="10" text-anchor="end">Trial</text>
        <text x=${FOREST.text} y="10">Estimate [95% CI]</text><text x=${FOREST.weight} y="10" text-anchor="end">Weight</text></g>
      <line x1=${x(0)} x2=${x(0)} y1=${FOREST.top - 12} y2=${axisY} stroke="#6c757d" stroke-dasharray="3 3"></line>
      ${trials}${pooled}${forestAxis(x, axisY, sides, axisLabel)}
    </svg>`;
  }

  /* --- the panel ------------------------------------------------------------------------------------------------- */
  // A selection without trial contrasts (an animal subset, say) gets a panel that says so and keeps no state.
  function emptyPanel() {
    const element = html`<details class="pool-panel" id="explorer-pool" open>
      <summary><h2 class="pool-heading">Pool trials yourself</h2></summary>
      <p>No trial in this selection has a contrast the review could pool.</p></details>`;
    return {element, setView() {}, writeParams() {}, readParams() {}, state: () => null, analysis: () => null};
  }

  function alsPoolPanel(pooling, onChange) {
    if (!pooling.contrasts.length) return emptyPanel();
    const settings = pooling.settings;
    const contrasts = pooling.contrasts;
    const models = new Map(settings.models.map((m) => [m.code, m]));
    const windowOrder = settings.windows;
    const review = pooling.review;
    const reviewDefault = review.find((r) => r.analysis === "primary") || review[0] || null;
    let inView = contrasts;
    let state = defaults();
    let touched = false;
    let last = null;

    function defaults() {
      const first = reviewDefault || contrasts[0] || {};
      return {domain: first.domain || "", window: first.window || "", trials: null,
        assumptions: reviewDefault ? reviewDefault.assumptions : false, model: settings.primary_model};
    }

    const domainSelect = html`<select name="pool-domain"></select>`;
    const windowSelect = html`<select name="pool-window"></select>`;
    const assumptionBox = html`<input type="checkbox" name="pool-assumptions">`;
    const modelBoxes = settings.models.map((m) => html`<label class="pool-choice"><input type="radio" name="pool-model" value=${m.code}>
      ${m.label}${m.code === settings.primary_model ? " (the review's)" : ""}</label>`);
    const trialList = html`<div class="pool-trials"></div>`;
    const hidden = html`<p class="pool-hidden explorer-caption"></p>`;
    const summary = html`<div class="pool-summary" role="status" aria-live="polite"></div>`;
    const figure = html`<div class="pool-figure"></div>`;
    const comparison = html`<p class="pool-comparison"></p>`;
    const unused = html`<p class="pool-unused explorer-caption"></p>`;

    const element = html`<details class="pool-panel" id="explorer-pool" open>
      <summary><h2 class="pool-heading">Pool trials yourself</h2></summary>
      <p class="explorer-caption">For the trials in view (the studies matching the filters), with the review's contrasts
        (exercise against no added exercise), scales and favours rule. The choices are kept in the page address.</p>
      <div class="pool-grid">
        <form class="pool-controls" aria-label="Pooling choices">
          <label class="pool-field">Outcome ${domainSelect}</label>
          <label class="pool-field">Follow-up ${windowSelect}</label>
          <label class="pool-choice">${assumptionBox} Allow rows usable only under their recorded assumptions</label>
          <fieldset class="pool-fieldset"><legend>Model</legend>${modelBoxes}</fieldset>
          <fieldset class="pool-fieldset"><legend>Trials</legend>${trialList}${hidden}</fieldset>
        </form>
        <div class="pool-result">${summary}${figure}${comparison}${unused}</div>
      </div>
    </details>`;

    /* what is offered */
    function pairsInView() {
      const seen = new Map();
      for (const c of inView) {
        const key = c.domain + "\u0000" + c.window;
        if (!seen.has(key)) seen.set(key, {domain: c.domain, label: c.domain_label, window: c.window, trials: new Set()});
        seen.get(key).trials.add(c.study_id);
      }
      return Array.from(seen.values());
    }

    function ofPair(list, s) {
      return list.filter((c) => c.domain === s.domain && c.window === s.window);
    }

    function trialsOfPair(s) {
      const byStudy = new Map();
      for (const c of ofPair(inView, s)) {
        if (!byStudy.has(c.study_id)) byStudy.set(c.study_id, []);
        byStudy.get(c.study_id).push(c);
      }
      return Array.from(byStudy.values()).map((rows) => ({
        study_id: rows[0].study_id, citation: rows[0].citation, rob_label: rows[0].rob_label,
        comparator_label: rows[0].comparator_label, assumptionOnly: rows.every((c) => c.assumption),
        assumption: Array.from(new Set(rows.map((c) => c.assumption).filter(Boolean))).join(" / "),
      }));
    }

    function ticked(studyId) {
      return state.trials === null || state.trials.includes(studyId);
    }

    function selectedContrasts() {
      return ofPair(inView, state).filter((c) => (state.assumptions || !c.assumption) && ticked(c.study_id));
    }

    /* drawing the controls */
    function fillSelect(select, options, value) {
      select.replaceChildren(...options.map(([code, words]) => html`<option value=${code}>${words}</option>`));
      select.value = value;
    }

    function drawControls() {
      const pairs = pairsInView();
      const domains = Array.from(new Map(pairs.map((p) => [p.domain, p.label])));
      fillSelect(domainSelect, domains, state.domain);
      const windows = windowOrder.filter((w) => pairs.some((p) => p.domain === state.domain && p.window === w));
      fillSelect(windowSelect, windows.map((w) => [w, w]), state.window);
      assumptionBox.checked = state.assumptions;
      for (const label of modelBoxes) {
        const input = label.querySelector("input");
        input.checked = input.value === state.model;
      }
      trialList.replaceChildren(...trialsOfPair(state).map((t) => {
        const usable = state.assumptions || !t.assumptionOnly;
        const note = t.assumptionOnly ? (state.assumptions ? " · uses recorded assumptions" : " · usable only under recorded assumptions") : "";
        return html`<label class="pool-choice pool-trial" title=${t.assumption || null}>
          <input type="checkbox" name="pool-trial" value=${t.study_id} checked=${usable && ticked(t.study_id)} disabled=${!usable}>
          <span>${t.citation}</span> <span class="pool-trial-meta">risk of bias: ${t.rob_label} · ${t.comparator_label}${note}</span></label>`;
      }));
      const missing = contrasts.filter((c) => c.domain === state.domain && c.window === state.window
        && !inView.includes(c)).map((c) => c.citation);
      const names = Array.from(new Set(missing));
      hidden.textContent = names.length ? `Hidden by the filters: ${listOf(names)}.` : "";
    }

    /* the result in words */
    function modelLabel(code) {
      return (models.get(code) || {label: code}).label;
    }

    function measureWords(analysis) {
      if (analysis.measure === settings.standardised) return `${settings.standardised} (Hedges' g; positive favours exercise)`;
      const scale = analysis.rows.length ? analysis.rows[0].scale_label : "";
      return `${analysis.measure}${scale ? ", " + scale : ""} (exercise minus control)`;
    }

    function describe(analysis) {
      const r = analysis.result;
      summary.dataset.status = analysis.status;
      for (const key of ["k", "estimate", "ciLower", "ciUpper", "tau2", "i2", "piLower", "piUpper", "favours"]) delete summary.dataset[key];
      if (analysis.status === "none") {
        return [html`<p>No trial is ticked, or none has a contrast usable with these choices.</p>`];
      }
      if (analysis.status === "scales") {
        return [html`<p>These trials report on different scales, so the review would pool a standardised mean difference,
          which needs arm means, SDs and the scale's better direction for every trial; ${listOf(analysis.missing.map((c) => `${c.citation} (${c.scale_label})`))}
          ${analysis.missing.length === 1 ? "lacks" : "lack"} them.</p>`];
      }
      if (analysis.status === "single") {
        const one = analysis.rows[0];
        const finding = P.favours(one.ci_lower, one.ci_upper, analysis.better, settings.favours);
        Object.assign(summary.dataset, {k: 1, estimate: one.pooled_effect, ciLower: one.ci_lower, ciUpper: one.ci_upper, favours: finding});
        return [html`<p class="pool-estimate"><strong>${one.citation} alone: ${fixed(one.pooled_effect)} (95% CI ${interval(one.ci_lower, one.ci_upper)})</strong>, ${finding}.</p>`,
          html`<p>Pooling needs at least two trials; this is the trial's own estimate.</p>`];
      }
      Object.assign(summary.dataset, {k: r.k, estimate: r.re_estimate, ciLower: r.re_ci_lower, ciUpper: r.re_ci_upper,
        tau2: r.tau2, i2: r.i2, favours: r.favours});
      if (r.pi_lower != null) Object.assign(summary.dataset, {piLower: r.pi_lower, piUpper: r.pi_upper});
      const fe = state.model === "fe";
      const prediction = fe ? "No prediction interval under a fixed effect."
        : r.pi_lower != null ? `95% prediction interval ${interval(r.pi_lower, r.pi_upper)}.` : "No prediction interval: it needs at least 3 trials.";
      const parts = [
        html`<p class="pool-estimate"><strong>Pooled ${analysis.measure}: ${fixed(r.re_estimate)} (95% CI ${interval(r.re_ci_lower, r.re_ci_upper)})</strong>, ${r.favours}.</p>`,
        html`<p class="pool-stats">k = ${r.k} · tau² = ${fixed(r.tau2, 3)} · I² = ${fixed(100 * r.i2, 1)}% · Q = ${fixed(r.q)} (df ${r.df}) · ${prediction}</p>`,
      ];
      if (r.k < settings.few_trials && !fe) {
        parts.push(html`<p class="explorer-caption">With fewer than ${settings.few_trials} trials tau² is barely estimable; as the review does,
          the fixed-effect estimate ${fixed(r.fe_estimate)} (95% CI ${interval(r.fe_ci_lower, r.fe_ci_upper)}) is shown beside it.</p>`);
      }
      return parts;
    }

    function reviewFor(s) {
      const same = review.filter((r) => r.domain === s.domain && r.window === s.window);
      return {primary: same.find((r) => r.analysis === "primary") || null, secondary: same.find((r) => r.analysis === "secondary") || null};
    }

    function citationOf(studyId) {
      const c = contrasts.find((x) => x.study_id === studyId);
      return c ? c.citation : studyId;
    }

    function changes(analysis, ref) {
      const mine = analysis.rows.map((r) => r.study_id);
      const k = mine.length;
      const estimate = analysis.result ? analysis.result.re_estimate : (analysis.rows[0] || {}).pooled_effect;
      const lower = analysis.result ? analysis.result.re_ci_lower : (analysis.rows[0] || {}).ci_lower;
      const upper = analysis.result ? analysis.result.re_ci_upper : (analysis.rows[0] || {}).ci_upper;
      const out = [`${plural(k, "trial", "trials")} instead of ${ref.k}`];
      if (estimate != null) out.push(`estimate ${fixed(estimate)} instead of ${fixed(ref.re_estimate)}`);
      if (lower != null) out.push(`95% CI ${interval(lower, upper)} instead of ${interval(ref.re_ci_lower, ref.re_ci_upper)}`);
      const left = ref.trials.filter((t) => !mine.includes(t)).map(citationOf);
      const added = mine.filter((t) => !ref.trials.includes(t)).map(citationOf);
      if (left.length) out.push(`without ${listOf(left)}`);
      if (added.length) out.push(`with ${listOf(added)} added`);
      if (state.model !== ref.model) out.push(`${modelLabel(state.model)} instead of ${modelLabel(ref.model)}`);
      if (state.assumptions !== ref.assumptions) out.push(state.assumptions ? "rows usable only under assumptions allowed" : "rows usable only under assumptions left out");
      if (analysis.measure !== ref.effect_measure) out.push(`${analysis.measure} instead of ${ref.effect_measure}`);
      return out;
    }

    function sameAsReview(analysis, ref) {
      const r = analysis.result;
      const trials = analysis.rows.map((x) => x.study_id);
      return r && state.model === ref.model && state.assumptions === ref.assumptions && trials.length === ref.trials.length
        && trials.every((t) => ref.trials.includes(t)) && Math.abs(r.re_estimate - ref.re_estimate) <= 1e-9 * Math.max(1, Math.abs(ref.re_estimate));
    }

    function compare(analysis) {
      const {primary, secondary} = reviewFor(state);
      const ref = primary || secondary;
      if (!ref) return "The review pools nothing for this outcome and window: fewer than two trials have a usable contrast there.";
      const which = ref.analysis === "primary" ? "primary analysis" : "secondary analysis (recorded assumptions allowed)";
      const preface = primary ? "" : "The review's primary analysis (rows usable as stated) pools nothing here: fewer than two trials are usable as stated. ";
      const reviewWords = `the review's ${which}: ${ref.k} trials, ${fixed(ref.re_estimate)} (95% CI ${interval(ref.re_ci_lower, ref.re_ci_upper)}), ${ref.favours}`;
      if (sameAsReview(analysis, ref)) return `${preface}This is ${reviewWords}.`;
      if (analysis.status === "none" || analysis.status === "scales") return `${preface}Against ${reviewWords}.`;
      const finding = analysis.result ? analysis.result.favours : P.favours(analysis.rows[0].ci_lower, analysis.rows[0].ci_upper, analysis.better, settings.favours);
      const turned = finding !== ref.favours ? `; ${finding} instead of ${ref.favours}` : "";
      return `${preface}Against ${reviewWords}: ${changes(analysis, ref).join("; ")}${turned}.`;
    }

    function drawResult() {
      const analysis = P.analyse(selectedContrasts(), {tau2: models.get(state.model).tau2, interval: models.get(state.model).interval,
        z95: settings.z95, xtol: settings.tau2_xtol, words: settings.favours, meanDifference: settings.mean_difference,
        standardised: settings.standardised});
      last = analysis;
      summary.replaceChildren(...describe(analysis));
      const drawable = analysis.status === "pooled" || analysis.status === "single";
      figure.replaceChildren(drawable ? forestPlot(analysis, settings, measureWords(analysis), models.get(state.model).short) : "");
      comparison.textContent = compare(analysis);
      const notUsed = Array.from(d3.group(analysis.unused, (c) => c.citation), ([citation, list]) => `${citation}: ${list.map((c) => c.scale_label).join("; ")}`);
      unused.textContent = notUsed.length ? `Not used (one contrast per trial: the scale most trials share, then the trial's first row): ${notUsed.join(". ")}.` : "";
    }

    /* state */
    function settle() {
      const pairs = pairsInView();
      if (!pairs.some((p) => p.domain === state.domain && p.window === state.window)) {
        const fallback = pairs.find((p) => p.domain === state.domain) || pairs[0];
        state = Object.assign({}, state, fallback ? {domain: fallback.domain, window: fallback.window} : {});
      }
    }

    function draw() {
      settle();
      drawControls();
      if (inView.length) {
        drawResult();
        return;
      }
      last = null;
      summary.dataset.status = "hidden";
      summary.replaceChildren(html`<p>No trial with a contrast the review could pool matches the filters above.</p>`);
      figure.replaceChildren();
      comparison.textContent = "";
      unused.textContent = "";
    }

    function readControls(event) {
      const target = event.target;
      const next = Object.assign({}, state);
      if (target === domainSelect) Object.assign(next, {domain: domainSelect.value, window: "", trials: null});
      else if (target === windowSelect) Object.assign(next, {window: windowSelect.value, trials: null});
      else if (target === assumptionBox) Object.assign(next, {assumptions: assumptionBox.checked, trials: null});
      else if (target.name === "pool-model") next.model = target.value;
      else if (target.name === "pool-trial") {
        next.trials = Array.from(trialList.querySelectorAll("input:checked")).map((input) => input.value);
      }
      if (!next.window) {
        const w = windowOrder.find((label) => inView.some((c) => c.domain === next.domain && c.window === label));
        next.window = w || "";
      }
      state = next;
      touched = true;
      draw();
      onChange();
    }
    element.querySelector("form").addEventListener("change", readControls);
    element.querySelector("form").addEventListener("submit", (event) => event.preventDefault());

    return {
      element,
      // The studies the explorer's filters keep: only their trials are offered.
      setView(studyIds) {
        inView = contrasts.filter((c) => studyIds.has(c.study_id));
        draw();
      },
      writeParams(params) {
        if (!touched) return;
        params.set("pool", state.domain);
        params.set("window", state.window);
        params.set("assumptions", state.assumptions ? "yes" : "no");
        params.set("model", state.model);
        params.set("trials", state.trials === null ? trialsOfPair(state).filter((t) => state.assumptions || !t.assumptionOnly).map((t) => t.study_id).join(",") : state.trials.join(","));
      },
      readParams(params) {
        touched = PARAMS.some((name) => params.has(name));
        const base = defaults();
        if (!touched) { state = base; return; }
        const known = new Set(contrasts.map((c) => c.study_id));
        state = {
          domain: params.get("pool") || base.domain, window: params.get("window") || base.window,
          assumptions: params.has("assumptions") ? params.get("assumptions") === "yes" : base.assumptions,
          model: models.has(params.get("model")) ? params.get("model") : base.model,
          trials: params.has("trials") ? params.get("trials").split(",").filter((t) => known.has(t)) : null,
        };
      },
      state: () => Object.assign({}, state),
      analysis: () => last,
    };
  }

  window.alsPoolPanel = alsPoolPanel;
})();
